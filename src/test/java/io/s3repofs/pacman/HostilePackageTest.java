package io.s3repofs.pacman;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken and hostile input: truncated and byte-mutated real packages (deterministic, ~200
 * cases) and hand-made archives. Each must give a {@link PackageException} naming the file (or,
 * for a mutation that happens to keep the package valid, a normal result) — never another
 * exception type, never a hang — and a failed add must leave the database byte-identical.
 */
class HostilePackageTest {
  private static final String PKGINFO = "pkgname = evil\npkgbase = evil\npkgver = 1.0-1\narch = any\nsize = 1\n";

  @TempDir
  Path tmp;

  private final PackageReader reader = new PackageReader();

  /** Reads, requiring a PackageException naming the file; returns its message. */
  private String expectFailure(Path file) {
    return assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      try {
        PackageFile pkg = reader.read(file);
        fail(file.getFileName() + " was accepted as " + pkg.info().entryName());
        return null;
      } catch (PackageException e) {
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
      } catch (Throwable t) {
        throw new AssertionError(file.getFileName() + ": " + t.getClass().getName() + " escaped", t);
      }
    });
  }

  @Test
  void truncatedRealPackagesAreRejected() throws Exception {
    int cases = 0;
    Random random = new Random(42);
    for (TestPackages.Pkg p : TestPackages.oneOfEachCompression()) {
      byte[] bytes = Files.readAllBytes(p.path());
      List<Integer> offsets = new ArrayList<>(List.of(0, 1, 4, 6, 10, 100, 511, 512,
          bytes.length / 2, bytes.length - 100, bytes.length - 9, bytes.length - 8,
          bytes.length - 4, bytes.length - 1));
      for (int i = 0; i < 26; i++) {
        offsets.add(random.nextInt(bytes.length));
      }
      for (int off : offsets) {
        Path cut = tmp.resolve("cut-" + off + "-" + p.fileName());
        Files.write(cut, Arrays.copyOf(bytes, off));
        expectFailure(cut);
        cases++;
      }
    }
    assertTrue(cases >= 100, "cases: " + cases);
  }

  @Test
  void mutatedRealPackagesGiveOnlyPackageExceptions() throws Exception {
    int cases = 0;
    int rejected = 0;
    Random random = new Random(4242);
    for (TestPackages.Pkg p : TestPackages.oneOfEachCompression()) {
      byte[] original = Files.readAllBytes(p.path());
      for (int i = 0; i < 40; i++) {
        byte[] bytes = original.clone();
        int flips = 1 + random.nextInt(i % 5 == 0 ? 50 : 3);
        // early offsets (headers, .PKGINFO) are the interesting ones: bias towards them
        for (int f = 0; f < flips; f++) {
          int at = random.nextBoolean() ? random.nextInt(Math.min(600, bytes.length)) : random.nextInt(bytes.length);
          bytes[at] = (byte) random.nextInt(256);
        }
        Path mutated = tmp.resolve("mut-" + i + "-" + p.fileName());
        Files.write(mutated, bytes);
        cases++;
        boolean failed = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
          try {
            PackageFile pkg = reader.read(mutated);
            // a mutation may keep the package valid (e.g. in gzip's mtime); then the result must be sane
            assertEquals(Files.size(mutated), pkg.compressedSize());
            return false;
          } catch (PackageException e) {
            assertTrue(e.getMessage().startsWith(mutated + ": "), e.getMessage());
            return true;
          } catch (Throwable t) {
            throw new AssertionError(mutated.getFileName() + ": " + t.getClass().getName() + " escaped", t);
          }
        });
        if (failed) {
          rejected++;
        }
      }
    }
    assertEquals(120, cases);
    assertTrue(rejected > cases / 2, "most mutations are detected (checksums): " + rejected + "/" + cases);
  }

  /** A package-like tar with the given members (name -> content; null content = directory). */
  private Path tar(String file, Compression compression, Map<String, byte[]> members, boolean preserveAbsolute)
      throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (OutputStream c = compression.compress(buf);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(c)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Map.Entry<String, byte[]> m : members.entrySet()) {
        TarArchiveEntry e = new TarArchiveEntry(m.getKey(), preserveAbsolute);
        if (m.getValue() != null) {
          e.setSize(m.getValue().length);
        }
        tar.putArchiveEntry(e);
        if (m.getValue() != null) {
          tar.write(m.getValue());
        }
        tar.closeArchiveEntry();
      }
    }
    Path out = tmp.resolve(file);
    Files.write(out, buf.toByteArray());
    return out;
  }

  private static Map<String, byte[]> members(String... nameThenContent) {
    Map<String, byte[]> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < nameThenContent.length; i += 2) {
      m.put(nameThenContent[i], nameThenContent[i + 1] == null ? null
          : nameThenContent[i + 1].getBytes(StandardCharsets.UTF_8));
    }
    return m;
  }

  @Test
  void handMadeHostileArchivesAreRejectedWithClearMessages() throws Exception {
    for (Compression c : List.of(Compression.ZSTD, Compression.XZ, Compression.GZIP)) {
      String ext = c.suffix();
      assertTrue(expectFailure(tar("dotdot." + ext, c, members(".PKGINFO", PKGINFO, "usr/../../x", "boom"), false))
          .contains("'..' in entry name 'usr/../../x'"));
      assertTrue(expectFailure(tar("parent." + ext, c, members(".PKGINFO", PKGINFO, "../x", "boom"), false))
          .contains("hostile package"));
      assertTrue(expectFailure(tar("absolute." + ext, c, members(".PKGINFO", PKGINFO, "/etc/x", "boom"), true))
          .contains("absolute entry name '/etc/x'"));
      assertTrue(expectFailure(tar("nopkginfo." + ext, c, members("usr/", null, "usr/x", "hi"), false))
          .contains("no .PKGINFO"));
      String big = "pkgname = big\npkgver = 1-1\n" + "# padding\n".repeat(2 * 1024 * 1024 / 10);
      assertTrue(expectFailure(tar("hugepkginfo." + ext, c, members(".PKGINFO", big), false))
          .contains(".PKGINFO is " + big.length() + " bytes, more than the 1048576 allowed"));
      // the control case: the same kind of archive without hostile entries is accepted
      assertEquals("evil", reader.read(tar("fine." + ext, c, members(".PKGINFO", PKGINFO, "usr/", null, "usr/x", "y"), false))
          .info().name());
      assertTrue(expectFailure(tar("noname." + ext, c, members(".PKGINFO", "pkgver = 1-1\n"), false))
          .contains("no pkgname"));
      assertTrue(expectFailure(tar("badname." + ext, c, members(".PKGINFO", "pkgname = ../../x\npkgver = 1-1\n"), false))
          .contains("invalid package name"));
      assertTrue(expectFailure(tar("empty-tar." + ext, c, members(), false)).contains("empty or truncated"));
    }
    // a hard link pointing out of the root
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Compression.ZSTD.compress(buf))) {
      TarArchiveEntry info = new TarArchiveEntry(".PKGINFO");
      info.setSize(PKGINFO.length());
      tar.putArchiveEntry(info);
      tar.write(PKGINFO.getBytes(StandardCharsets.UTF_8));
      tar.closeArchiveEntry();
      TarArchiveEntry link = new TarArchiveEntry("usr/shadow", TarArchiveEntry.LF_LINK);
      link.setLinkName("../../etc/shadow");
      tar.putArchiveEntry(link);
      tar.closeArchiveEntry();
    }
    Path hardlink = tmp.resolve("hardlink.pkg.tar.zst");
    Files.write(hardlink, buf.toByteArray());
    assertTrue(expectFailure(hardlink).contains("hard link target"));
  }

  @Test
  void duplicatePkginfoIsRejected() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(buf)) {
      for (int i = 0; i < 2; i++) {
        TarArchiveEntry info = new TarArchiveEntry(".PKGINFO");
        info.setSize(PKGINFO.length());
        tar.putArchiveEntry(info);
        tar.write(PKGINFO.getBytes(StandardCharsets.UTF_8));
        tar.closeArchiveEntry();
      }
    }
    Path twice = tmp.resolve("twice.pkg.tar");
    Files.write(twice, buf.toByteArray());
    assertTrue(expectFailure(twice).contains("two .PKGINFO"));
  }

  @Test
  void nonArchivesAreRejected() throws Exception {
    Path empty = Files.write(tmp.resolve("empty.pkg.tar.zst"), new byte[0]);
    assertTrue(expectFailure(empty).contains("the file is empty"));
    Path text = Files.writeString(tmp.resolve("text.pkg.tar.zst"), "hello, I am not a package\n".repeat(40));
    assertTrue(expectFailure(text).contains("not a tar archive"));
    byte[] noise = new byte[100_000];
    new Random(7).nextBytes(noise);
    assertTrue(expectFailure(Files.write(tmp.resolve("noise.pkg.tar.xz"), noise)).contains("not a package"));
    // valid gzip whose content is not a tar
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (OutputStream gz = Compression.GZIP.compress(buf)) {
      gz.write("plain text, not a tar archive at all".repeat(50).getBytes(StandardCharsets.UTF_8));
    }
    expectFailure(Files.write(tmp.resolve("gz-text.pkg.tar.gz"), buf.toByteArray()));
    expectFailure(Files.createDirectory(tmp.resolve("dir.pkg.tar.zst")));
  }

  @Test
  void failedAddLeavesTheDatabaseByteIdentical() throws Exception {
    Path repo = tmp.resolve("repo");
    List<TestPackages.Pkg> pkgs = TestPackages.all();
    List<Path> good = TestPackages.copy(pkgs.subList(0, 3), repo);
    LocalRepository r = new LocalRepository(RepoLocation.of(repo.resolve("x.db.tar.gz")), RepoListener.SILENT);
    r.add(good.subList(0, 2), AddOptions.DEFAULTS);
    Map<String, byte[]> before = snapshot(repo);

    byte[] bytes = Files.readAllBytes(good.get(2));
    Path truncated = repo.resolve("broken-1.0-1-any.pkg.tar.zst");
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
    Path hostile = tar("hostile-1-1-any.pkg.tar.zst", Compression.ZSTD, members(".PKGINFO", PKGINFO, "../../x", "y"), false);
    Files.move(hostile, repo.resolve(hostile.getFileName()));
    hostile = repo.resolve(hostile.getFileName());
    before.put(truncated.getFileName().toString(), Files.readAllBytes(truncated));
    before.put(hostile.getFileName().toString(), Files.readAllBytes(hostile));

    for (List<Path> args : List.of(List.of(good.get(2), truncated), List.of(hostile), List.of(repo.resolve("missing.pkg.tar.zst")))) {
      RepoException e = assertThrows(RepoException.class, () -> r.add(args, AddOptions.DEFAULTS.withRemoveOld(true)));
      assertTrue(e.getMessage().contains("the database is unchanged"), e.getMessage());
      assertEquals(keysAndHashes(before), keysAndHashes(snapshot(repo)), "repository directory changed after: " + e.getMessage());
    }
  }

  /** Every file (and link target) in a directory: name -> bytes. */
  private static Map<String, byte[]> snapshot(Path dir) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        String key = p.getFileName().toString() + (Files.isSymbolicLink(p) ? " -> " + Files.readSymbolicLink(p) : "");
        out.put(key, Files.isRegularFile(p) ? Files.readAllBytes(p) : new byte[0]);
      }
    }
    return out;
  }

  private static Map<String, String> keysAndHashes(Map<String, byte[]> snapshot) {
    Map<String, String> out = new TreeMap<>();
    snapshot.forEach((k, v) -> out.put(k, Integer.toHexString(Arrays.hashCode(v)) + "/" + v.length));
    return out;
  }
}

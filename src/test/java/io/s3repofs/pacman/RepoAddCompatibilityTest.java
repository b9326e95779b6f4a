package io.s3repofs.pacman;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The databases s3repofs writes against those Debian's real repo-add writes for the same
 * packages: same entries, same field values, same desc and files text; and each tool can
 * update the other's databases.
 */
class RepoAddCompatibilityTest {
  @TempDir
  Path tmp;

  private List<TestPackages.Pkg> all;

  @BeforeEach
  void packages() {
    TestPackages.assumeRepoAdd();
    all = TestPackages.all();
  }

  /** Fake (not OpenPGP) binary signatures next to some packages: repo-add only base64s them. */
  private static void addSignatures(List<Path> pkgs) throws IOException {
    for (int i = 0; i < pkgs.size(); i += 4) {
      byte[] sig = new byte[300 + i];
      for (int j = 0; j < sig.length; j++) {
        sig[j] = (byte) (j * 31 + i);
      }
      Files.write(pkgs.get(i).resolveSibling(pkgs.get(i).getFileName() + ".sig"), sig);
    }
  }

  private static List<String> names(List<Path> paths) {
    return paths.stream().map(p -> p.getFileName().toString()).toList();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private Path repoAdd(Path dir, String db, List<String> args) throws Exception {
    Tools.repoTool(dir, "repo-add", concat(List.of(db), args)).assertOk("repo-add");
    return dir.resolve(db);
  }

  private static LocalRepository ours(Path db) throws RepoException {
    return new LocalRepository(RepoLocation.of(db), RepoListener.SILENT);
  }

  /**
     * The raw text of every desc and files member of both databases, keyed by archive path
     * (the files database's members are prefixed with "files:"), as the archives hold them.
     */
  static Map<String, String> dump(Path dbFile) throws IOException {
    RepoLocation loc = RepoLocation.of(dbFile);
    Map<String, String> out = new TreeMap<>(rawMembers(loc.dbFile()));
    rawMembers(loc.filesFile()).forEach((k, v) -> out.put("files:" + k, v));
    return out;
  }

  /** Regular-file members of a (compressed) tar, read without any of the code under test but Compression. */
  static Map<String, String> rawMembers(Path archive) throws IOException {
    Map<String, String> out = new TreeMap<>();
    byte[] head = new byte[512];
    int n;
    try (var in = Files.newInputStream(archive)) {
      n = in.readNBytes(head, 0, head.length);
    }
    Compression c = Compression.detect(head, n).orElseThrow(() -> new AssertionError("not an archive: " + archive));
    try (var in = c.decompress(new java.io.BufferedInputStream(Files.newInputStream(archive)));
        var tar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(in)) {
      org.apache.commons.compress.archivers.tar.TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        if (e.isFile()) {
          out.put(e.getName(), new String(tar.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"tar.gz", "tar.xz", "tar.zst"})
  void sameDatabaseAsRepoAdd(String ext) throws Exception {
    Path a = tmp.resolve("ours");
    Path b = tmp.resolve("theirs");
    List<Path> ourPkgs = TestPackages.copy(all, a);
    List<Path> theirPkgs = TestPackages.copy(all, b);
    addSignatures(ourPkgs);
    addSignatures(theirPkgs);
    String db = "test.db." + ext;

    repoAdd(b, db, names(theirPkgs));
    AddResult result = ours(a.resolve(db)).add(ourPkgs,
        AddOptions.DEFAULTS.withIncludeSigs(true));
    assertTrue(result.written());

    Map<String, String> theirs = dump(b.resolve(db));
    Map<String, String> mine = dump(a.resolve(db));
    // 21 files, 3 of them second versions: 18 entries, 3 members each
    assertEquals(18 * 3, theirs.size());
    assertTrue(theirs.containsKey("files:alpha-1.0-1/files"), theirs.keySet().toString());
    assertEquals(theirs.keySet(), mine.keySet());
    for (String key : theirs.keySet()) {
      assertEquals(theirs.get(key), mine.get(key), key);
    }
    // field-by-field too, so that a failure names the field
    RepoDatabase t = DatabaseReader.read(b.resolve(db));
    RepoDatabase m = DatabaseReader.read(a.resolve(db));
    for (RepoEntry e : t.entries()) {
      assertEquals(e.fields(), m.get(e.name()).orElseThrow().fields(), e.directoryName());
    }
    long withSig = t.entries().stream().filter(e -> e.first("PGPSIG") != null).count();
    assertTrue(withSig >= 4, "signatures were included: " + withSig);
    assertTrue(t.entries().stream().allMatch(e -> e.first("MD5SUM") != null));

    // the same files and links as repo-add
    for (String f : List.of("test.db", "test.files")) {
      assertTrue(Files.isSymbolicLink(a.resolve(f)), f + " is a symlink");
      assertEquals(Files.readSymbolicLink(b.resolve(f)), Files.readSymbolicLink(a.resolve(f)));
    }
    // bsdtar (libarchive, which pacman uses) reads our archives
    Tools.run(a, "bsdtar", "-tf", "test.files." + ext).assertOk("bsdtar -tf");
    assertEquals(Tools.run(b, "bash", "-c", "bsdtar -tf test.db." + ext + " | sort").assertOk("list").output(),
        Tools.run(a, "bash", "-c", "bsdtar -tf test.db." + ext + " | sort").assertOk("list").output());
  }

  @Test
  void repoAddUpdatesOurDatabaseAndWeUpdateTheirs() throws Exception {
    List<TestPackages.Pkg> first = all.subList(0, 10);
    List<TestPackages.Pkg> second = all.subList(10, all.size());
    String db = "rt.db.tar.zst";

    // reference: repo-add alone
    Path ref = tmp.resolve("ref");
    repoAdd(ref, db, names(TestPackages.copy(all, ref)));

    // we start, repo-add continues
    Path x = tmp.resolve("ours-first");
    List<Path> x1 = TestPackages.copy(first, x);
    List<Path> x2 = TestPackages.copy(second, x);
    ours(x.resolve(db)).add(x1, AddOptions.DEFAULTS);
    repoAdd(x, db, names(x2));
    assertEquals(dump(ref.resolve(db)), dump(x.resolve(db)));
    assertTrue(Files.exists(x.resolve(db + ".old")), "repo-add kept our database as .old");

    // repo-add starts, we continue
    Path y = tmp.resolve("theirs-first");
    List<Path> y1 = TestPackages.copy(first, y);
    List<Path> y2 = TestPackages.copy(second, y);
    repoAdd(y, db, names(y1));
    byte[] before = Files.readAllBytes(y.resolve(db));
    ours(y.resolve(db)).add(y2, AddOptions.DEFAULTS);
    assertEquals(dump(ref.resolve(db)), dump(y.resolve(db)));
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(y.resolve(db + ".old"))),
        "the previous database is kept as .old");
    assertTrue(Files.exists(y.resolve("rt.files.tar.zst.old")));

    // removal: repo-remove on ours, ours on repo-add's, same result
    Path z = tmp.resolve("removed-by-repo-remove");
    ours(z.resolve(db)).add(TestPackages.copy(all, z), AddOptions.DEFAULTS);
    Tools.repoTool(z, "repo-remove", List.of(db, "alpha", "mu")).assertOk("repo-remove");
    RemoveResult removed = ours(y.resolve(db)).remove(List.of("alpha", "mu"), java.time.Duration.ZERO);
    assertEquals(2, removed.removed().size());
    assertEquals(dump(z.resolve(db)), dump(y.resolve(db)));
    assertFalse(dump(y.resolve(db)).keySet().stream().anyMatch(k -> k.startsWith("alpha-")));
    assertTrue(dump(y.resolve(db)).keySet().stream().anyMatch(k -> k.startsWith("beta-tools-")));
  }

  @Test
  void emptyDatabaseAfterRemovingEverythingIsReadableByBoth() throws Exception {
    Path d = tmp.resolve("empty");
    String db = "e.db.tar.gz";
    List<Path> pkgs = TestPackages.copy(all.subList(0, 2), d);
    repoAdd(d, db, names(pkgs));
    Tools.repoTool(d, "repo-remove", List.of(db, all.get(0).name())).assertOk("repo-remove");
    ours(d.resolve(db)).remove(List.of(all.get(1).name()), java.time.Duration.ZERO);
    assertTrue(DatabaseReader.read(d.resolve(db)).isEmpty());
    // repo-add accepts our empty database, we accept repo-add's
    repoAdd(d, db, names(pkgs.subList(0, 1)));
    Tools.repoTool(d, "repo-remove", List.of(db, all.get(0).name())).assertOk("repo-remove to empty");
    assertTrue(ours(d.resolve(db)).read().isEmpty());
    ours(d.resolve(db)).add(pkgs, AddOptions.DEFAULTS);
    assertEquals(2, ours(d.resolve(db)).read().size());
  }
}

package io.s3repofs.pacman;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Database files: names, links, backups, signatures, broken databases. */
class DatabaseFilesTest {
  @TempDir
  Path tmp;

  private static LocalRepository repo(Path db) throws RepoException {
    return new LocalRepository(RepoLocation.of(db), RepoListener.SILENT);
  }

  @Test
  void locationFollowsRepoAddNaming() throws Exception {
    RepoLocation l = RepoLocation.of(Path.of("/srv/my.db.repo.db.tar.zst"));
    assertEquals("my.db.repo", l.name());
    assertEquals(Compression.ZSTD, l.compression());
    assertEquals(Path.of("/srv/my.db.repo.files.tar.zst"), l.filesFile());
    assertEquals(Path.of("/srv/my.db.repo.db"), l.dbLink());
    assertEquals(Path.of("/srv/my.db.repo.db.tar.zst.lck"), l.lockFile());
    assertEquals(Compression.NONE, RepoLocation.of(Path.of("r.db.tar")).compression());
    for (String bad : List.of("r.db", "r.tar.gz", "r.db.zip", "r.db.tar.lz4", ".db.tar.gz", "r.files.tar.gz")) {
      RepoException e = assertThrows(RepoException.class, () -> RepoLocation.of(Path.of(bad)), bad);
      assertTrue(e.getMessage().contains("does not have a valid database archive extension"), e.getMessage());
    }
  }

  @Test
  void theNameDbSymlinkCanBeGivenInsteadOfTheArchive() throws Exception {
    List<TestPackages.Pkg> all = TestPackages.all();
    Path dir = tmp.resolve("link");
    List<Path> files = TestPackages.copy(all.subList(0, 2), dir);
    repo(dir.resolve("l.db.tar.xz")).add(files.subList(0, 1), AddOptions.DEFAULTS);
    assertEquals(Path.of("l.db.tar.xz"), Files.readSymbolicLink(dir.resolve("l.db")));
    repo(dir.resolve("l.db")).add(files.subList(1, 2), AddOptions.DEFAULTS);
    assertEquals(2, repo(dir.resolve("l.db.tar.xz")).read().size());
    assertEquals(List.of(), repo(dir.resolve("l.db.tar.xz")).verify());
  }

  @Test
  void staleDatabaseSignatureIsMovedToOldNotLeftInPlace() throws Exception {
    List<TestPackages.Pkg> all = TestPackages.all();
    Path dir = tmp.resolve("sig");
    List<Path> files = TestPackages.copy(all.subList(0, 2), dir);
    Path db = dir.resolve("s.db.tar.gz");
    repo(db).add(files.subList(0, 1), AddOptions.DEFAULTS);
    Files.writeString(dir.resolve("s.db.tar.gz.sig"), "old signature");
    List<String> warnings = new java.util.ArrayList<>();
    new LocalRepository(RepoLocation.of(db), new RepoListener() {
      @Override
      public void info(String m) {}

      @Override
      public void warn(String m) {
        warnings.add(m);
      }
    }).add(files.subList(1, 2), AddOptions.DEFAULTS);
    assertFalse(Files.exists(dir.resolve("s.db.tar.gz.sig")), "a signature of the old content must not stay");
    assertEquals("old signature", Files.readString(dir.resolve("s.db.tar.gz.old.sig")));
    assertTrue(warnings.stream().anyMatch(w -> w.contains("no longer matches")), warnings.toString());
    assertTrue(Files.exists(dir.resolve("s.db.tar.gz.old")));
    assertFalse(Files.exists(dir.resolve(".tmp.s.db.tar.gz")), "no temporary file left");
    assertFalse(Files.exists(dir.resolve(".tmp.s.files.tar.gz")), "no temporary file left");
  }

  @Test
  void unchangedDatabaseIsNotRewritten() throws Exception {
    List<TestPackages.Pkg> all = TestPackages.all();
    Path dir = tmp.resolve("same");
    List<Path> files = TestPackages.copy(all.subList(0, 2), dir);
    Path db = dir.resolve("u.db.tar.gz");
    assertTrue(repo(db).add(files, AddOptions.DEFAULTS).written());
    byte[] before = Files.readAllBytes(db);
    AddResult again = repo(db).add(files, AddOptions.DEFAULTS);
    assertFalse(again.written());
    assertTrue(Arrays.equals(before, Files.readAllBytes(db)));
    assertFalse(Files.exists(dir.resolve("u.db.tar.gz.old")));
  }

  @Test
  void truncatedOrMutatedDatabasesAreRejectedNotTakenAsEmpty() throws Exception {
    List<TestPackages.Pkg> all = TestPackages.all();
    Random random = new Random(99);
    int cases = 0;
    for (String ext : List.of("tar.gz", "tar.xz", "tar.zst")) {
      Path dir = tmp.resolve("trunc-" + ext);
      Path db = dir.resolve("t.db." + ext);
      repo(db).add(TestPackages.copy(all.subList(0, 6), dir), AddOptions.DEFAULTS);
      byte[] bytes = Files.readAllBytes(db);
      for (int i = 0; i < 25; i++) {
        int cut = 1 + random.nextInt(bytes.length - 1);
        Path t = dir.resolve("cut" + i + ".db." + ext);
        Files.write(t, Arrays.copyOf(bytes, cut));
        cases++;
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
          DatabaseException e = assertThrows(DatabaseException.class, () -> DatabaseReader.read(t), "cut at " + cut);
          assertTrue(e.getMessage().startsWith(t + ": "), e.getMessage());
        });
      }
      // and a failed add on a broken database changes nothing
      Files.write(db, Arrays.copyOf(bytes, bytes.length / 2));
      assertThrows(DatabaseException.class, () -> repo(db).add(TestPackages.copy(all.subList(6, 7), dir), AddOptions.DEFAULTS));
      assertEquals(bytes.length / 2, Files.size(db));
    }
    assertEquals(75, cases);
    // repo-add's empty database (zero bytes or a tar of nothing) is an empty database
    assertTrue(DatabaseReader.read(Files.write(tmp.resolve("zero.db.tar.gz"), new byte[0])).isEmpty());
    assertTrue(DatabaseReader.read(Files.write(tmp.resolve("zeros.db.tar"), new byte[10240])).isEmpty());
  }
}

package io.s3repofs.pacman;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** add options (-n, -R, -p) against repo-add's behaviour, verify, the lock, concurrent adds. */
class LocalRepositoryTest {
  @TempDir
  Path tmp;

  private List<TestPackages.Pkg> all;

  @BeforeEach
  void packages() {
    all = TestPackages.all();
  }

  private TestPackages.Pkg pkg(String name, String version) {
    return all.stream().filter(p -> p.name().equals(name) && p.version().equals(version)).findFirst().orElseThrow();
  }

  private static LocalRepository repo(Path db) throws RepoException {
    return new LocalRepository(RepoLocation.of(db), RepoListener.SILENT);
  }

  private static final class Recorder implements RepoListener {
    final List<String> warnings = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void info(String message) {}

    @Override
    public void warn(String message) {
      warnings.add(message);
    }
  }

  @Test
  void onlyNewRemoveOldAndPreventDowngrade() throws Exception {
    Path dir = tmp.resolve("r");
    TestPackages.Pkg mu1 = pkg("mu", "0.9rc1-1");
    TestPackages.Pkg mu2 = pkg("mu", "0.9rc1-2");
    List<Path> files = TestPackages.copy(List.of(mu1, mu2), dir);
    Path db = dir.resolve("o.db.tar.xz");
    Recorder rec = new Recorder();
    LocalRepository r = new LocalRepository(RepoLocation.of(db), rec);

    r.add(List.of(files.get(1)), AddOptions.DEFAULTS);
    // -p: an older version is not added over a newer one
    AddResult p = r.add(List.of(files.get(0)), AddOptions.DEFAULTS.withPreventDowngrade(true));
    assertEquals(List.of(), p.added());
    assertEquals("0.9rc1-2", r.read().get("mu").orElseThrow().version());
    assertTrue(rec.warnings.stream().anyMatch(w -> w.contains("A newer version for 'mu' is already present")), rec.warnings.toString());
    // without -p it is (repo-add warns and downgrades)
    r.add(List.of(files.get(0)), AddOptions.DEFAULTS);
    assertEquals("0.9rc1-1", r.read().get("mu").orElseThrow().version());
    // -n: the same version again is skipped
    AddResult n = r.add(List.of(files.get(0)), AddOptions.DEFAULTS.withOnlyNew(true));
    assertEquals(List.of(), n.added());
    assertTrue(rec.warnings.stream().anyMatch(w -> w.contains("An entry for 'mu-0.9rc1-1' already existed")));
    // -R: upgrading deletes the replaced file and its signature, after the database is written
    Files.writeString(dir.resolve(mu1.fileName() + ".sig"), "x");
    AddResult up = r.add(List.of(files.get(1)), AddOptions.DEFAULTS.withRemoveOld(true));
    assertEquals(1, up.added().size());
    assertFalse(Files.exists(files.get(0)), "old package deleted");
    assertFalse(Files.exists(dir.resolve(mu1.fileName() + ".sig")), "old signature deleted");
    assertTrue(Files.exists(files.get(1)));
    assertEquals(List.of(), repo(db).verify());
  }

  @Test
  void severalVersionsInOneRunKeepTheLastNamedAsRepoAddDoes() throws Exception {
    Path dir = tmp.resolve("v");
    List<Path> files = TestPackages.copy(List.of(pkg("sigma", "7-2"), pkg("sigma", "7-1"), pkg("alpha", "1.0-1")), dir);
    Recorder rec = new Recorder();
    LocalRepository r = new LocalRepository(RepoLocation.of(dir.resolve("v.db.tar.gz")), rec);
    AddResult result = r.add(files, AddOptions.DEFAULTS);
    assertEquals(List.of(), result.skipped());
    assertEquals(2, result.added().size(), "the replaced 7-2 is not reported as added");
    assertEquals("7-1", r.read().get("sigma").orElseThrow().version());
    assertTrue(rec.warnings.stream().anyMatch(w -> w.contains("A newer version for 'sigma' is already present")), rec.warnings.toString());
    assertEquals(2, r.read().size());
    assertTrue(Files.exists(files.get(0)), "without -R nothing is deleted");
  }

  @Test
  void verifyFindsMissingCorruptAndUnsignedPackages() throws Exception {
    Path dir = tmp.resolve("verify");
    List<Path> files = TestPackages.copy(all.subList(0, 6), dir);
    Files.write(files.get(2).resolveSibling(files.get(2).getFileName() + ".sig"), new byte[] {1, 2, 3});
    Path db = dir.resolve("v.db.tar.zst");
    repo(db).add(files, AddOptions.DEFAULTS.withIncludeSigs(true));
    assertEquals(List.of(), repo(db).verify(), "a fresh repository verifies");

    Files.delete(files.get(0));
    try (RandomAccessFile f = new RandomAccessFile(files.get(1).toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0xff);
    }
    Files.delete(files.get(2).resolveSibling(files.get(2).getFileName() + ".sig"));
    Files.write(files.get(3), new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
    List<VerifyProblem> problems = repo(db).verify();
    String text = problems.toString();
    assertTrue(text.contains(all.get(0).fileName() + " is missing"), text);
    assertTrue(problems.stream().anyMatch(p -> p.subject().startsWith(all.get(1).name() + "-")), text);
    assertTrue(text.contains(".sig is missing"), text);
    assertTrue(problems.stream().anyMatch(p -> p.subject().startsWith(all.get(3).name() + "-")
        && p.problem().contains("%CSIZE%")), text);
    assertEquals(4, problems.stream().map(VerifyProblem::subject).distinct().count(), text);
  }

  @Test
  void lockHeldByAnotherProcessFailsClearlyAndIsLeftAlone() throws Exception {
    Path dir = tmp.resolve("lock");
    List<Path> files = TestPackages.copy(all.subList(0, 2), dir);
    Path db = dir.resolve("l.db.tar.gz");
    repo(db).add(files.subList(0, 1), AddOptions.DEFAULTS);
    byte[] before = Files.readAllBytes(db);
    Path lck = dir.resolve("l.db.tar.gz.lck");
    Files.writeString(lck, "4242\n"); // as repo-add's noclobber echo $$ leaves it

    RepoException e = assertThrows(RepoException.class, () -> repo(db).add(files.subList(1, 2), AddOptions.DEFAULTS));
    assertEquals("database is locked by another process (" + lck + " exists, held by process 4242); retry later"
        + " or use --wait SECONDS; if no repo-add or s3repofs is running on it, delete that file", e.getMessage());
    assertTrue(Files.exists(lck), "someone else's lock is not removed");
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(db)));
    assertThrows(RepoException.class, () -> repo(db).remove(List.of(all.get(0).name()), Duration.ZERO));

    // with a wait, the add goes through once the other process lets go
    Thread releaser = new Thread(() -> {
      try {
        Thread.sleep(300);
        Files.delete(lck);
      } catch (Exception ex) {
        throw new RuntimeException(ex);
      }
    });
    releaser.start();
    repo(db).add(files.subList(1, 2), AddOptions.DEFAULTS.withLockWait(Duration.ofSeconds(10)));
    releaser.join();
    assertEquals(2, repo(db).read().size());
    assertFalse(Files.exists(lck), "our lock is removed at the end");
  }

  @Test
  void repoAddRespectsOurLockAndWeRespectItsLock() throws Exception {
    TestPackages.assumeRepoAdd();
    Path dir = tmp.resolve("mutual");
    List<Path> files = TestPackages.copy(all.subList(0, 2), dir);
    Path db = dir.resolve("m.db.tar.gz");
    try (RepoLock lock = RepoLock.acquire(RepoLocation.of(db).lockFile(), Duration.ZERO)) {
      Tools.Result r = Tools.repoTool(dir, "repo-add", List.of("m.db.tar.gz", files.get(0).getFileName().toString()));
      assertEquals(1, r.exitCode(), r.output());
      assertTrue(r.output().contains("Failed to acquire lockfile"), r.output());
      assertTrue(r.output().contains("Held by process " + ProcessHandle.current().pid()), r.output());
    }
    assertFalse(Files.exists(dir.resolve("m.db.tar.gz.lck")));
    assertFalse(Files.exists(db));
  }

  @Test
  void lockIsRemovedWhenTheAddFails() throws Exception {
    Path dir = tmp.resolve("fail");
    List<Path> files = TestPackages.copy(all.subList(0, 1), dir);
    Path db = dir.resolve("f.db.tar.gz");
    Files.writeString(db, "this is not a database\n".repeat(30));
    DatabaseException e = assertThrows(DatabaseException.class, () -> repo(db).add(files, AddOptions.DEFAULTS));
    assertTrue(e.getMessage().contains("not a proper pacman database"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("f.db.tar.gz.lck")));
    assertEquals("this is not a database\n".repeat(30), Files.readString(db));
  }

  @Test
  void concurrentAddsLoseNoEntry() throws Exception {
    Path dir = tmp.resolve("concurrent");
    // 16 distinct names, one package each, added by 4 threads one package per call
    List<TestPackages.Pkg> distinct = new ArrayList<>(all.stream()
        .collect(java.util.stream.Collectors.toMap(TestPackages.Pkg::name, p -> p, (a, b) -> a,
            java.util.LinkedHashMap::new)).values()).subList(0, 16);
    List<Path> files = TestPackages.copy(distinct, dir);
    Path db = dir.resolve("c.db.tar.zst");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      List<Path> mine = files.subList(t * 4, t * 4 + 4);
      futures.add(pool.submit(() -> {
        start.await();
        for (Path p : mine) {
          repo(db).add(List.of(p), AddOptions.DEFAULTS.withLockWait(Duration.ofSeconds(60)));
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get(120, TimeUnit.SECONDS);
    }
    pool.shutdown();
    RepoDatabase result = repo(db).read();
    assertEquals(16, result.size(), "no entry lost");
    assertEquals(List.of(), repo(db).verify());
  }

  @Test
  void concurrentAddsWithoutWaitEitherSucceedOrFailClearly() throws Exception {
    Path dir = tmp.resolve("nowait");
    List<TestPackages.Pkg> eight = all.subList(0, 8);
    List<Path> files = TestPackages.copy(eight, dir);
    Path db = dir.resolve("n.db.tar.gz");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<String>> futures = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      List<Path> mine = files.subList(t * 2, t * 2 + 2);
      futures.add(pool.submit(() -> {
        start.await();
        try {
          repo(db).add(mine, AddOptions.DEFAULTS);
          return "ok";
        } catch (RepoException e) {
          return e.getMessage();
        }
      }));
    }
    start.countDown();
    List<String> expected = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      String outcome = futures.get(t).get(60, TimeUnit.SECONDS);
      if (outcome.equals("ok")) {
        expected.add(eight.get(t * 2).name());
        expected.add(eight.get(t * 2 + 1).name());
      } else {
        assertTrue(outcome.startsWith("database is locked by another process"), outcome);
      }
    }
    pool.shutdown();
    assertFalse(expected.isEmpty(), "at least the first add succeeds");
    List<String> names = repo(db).read().entries().stream().map(RepoEntry::name).sorted().toList();
    assertEquals(expected.stream().distinct().sorted().toList(), names,
        "exactly the packages of the successful adds are in the database");
  }
}

package io.s3repofs.pacman;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.store.ObjectStore;
import io.s3repofs.testing.S3TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code repo add -R} naming several versions of packages in one run leaves exactly the files
 * (and the database) Debian's repo-add leaves, on a path and on {@code s3://}: 21 real packages,
 * zst/xz/gz, epochs, three packages with two versions, named oldest first, newest first, and over
 * a database that already holds the older versions.
 */
class RemoveOldLikeRepoAddTest {
  @TempDir
  Path tmp;

  private List<TestPackages.Pkg> all;

  @BeforeEach
  void packages() {
    TestPackages.assumeRepoAdd();
    all = TestPackages.all();
    assertTrue(all.stream().anyMatch(p -> p.version().contains(":")), "the set has epochs");
    assertEquals(Set.of("zst", "xz", "gz"), Set.copyOf(all.stream().map(TestPackages.Pkg::compression).toList()));
  }

  /** The build order with each second version moved before its first: newest named first. */
  private List<TestPackages.Pkg> newestFirst() {
    List<TestPackages.Pkg> out = new ArrayList<>(all);
    for (int i = 1; i < out.size(); i++) {
      if (out.get(i).name().equals(out.get(i - 1).name())) {
        out.add(i - 1, out.remove(i));
      }
    }
    assertTrue(!out.equals(all));
    return out;
  }

  /** First versions only. */
  private List<TestPackages.Pkg> firstVersions() {
    List<TestPackages.Pkg> out = new ArrayList<>();
    for (TestPackages.Pkg p : all) {
      if (out.stream().noneMatch(o -> o.name().equals(p.name()))) {
        out.add(p);
      }
    }
    assertEquals(18, out.size());
    return out;
  }

  /** Fake binary signatures next to every third package (repo-add deletes them with -R). */
  private static void sign(List<Path> pkgs) throws IOException {
    for (int i = 0; i < pkgs.size(); i += 3) {
      Files.write(pkgs.get(i).resolveSibling(pkgs.get(i).getFileName() + ".sig"), new byte[] {1, 2, (byte) i});
    }
  }

  private static Set<String> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
    }
  }

  private static List<String> names(List<Path> paths) {
    return paths.stream().map(p -> p.getFileName().toString()).toList();
  }

  /** Runs repo-add -R in one directory and ours in another, each over the same runs; compares. */
  private void sameAsRepoAdd(String label, List<List<TestPackages.Pkg>> runs) throws Exception {
    Path theirs = tmp.resolve(label + "-repo-add");
    Path ours = tmp.resolve(label + "-ours");
    String db = "x.db.tar.zst";
    for (List<TestPackages.Pkg> run : runs) {
      List<Path> t = TestPackages.copy(run, theirs);
      List<Path> o = TestPackages.copy(run, ours);
      sign(t);
      sign(o);
      List<String> args = new ArrayList<>(List.of("-R", db));
      args.addAll(names(t));
      Tools.repoTool(theirs, "repo-add", args).assertOk("repo-add -R");
      new LocalRepository(RepoLocation.of(ours.resolve(db)), RepoListener.SILENT)
          .add(o, AddOptions.DEFAULTS.withRemoveOld(true).withIncludeSigs(true));
    }
    assertEquals(files(theirs), files(ours), label + ": the files left");
    assertEquals(RepoAddCompatibilityTest.dump(theirs.resolve(db)), RepoAddCompatibilityTest.dump(ours.resolve(db)),
        label + ": the databases");
    assertEquals(18, DatabaseReader.read(ours.resolve(db)).size());
  }

  @Test
  void oldestFirstOnAPath() throws Exception {
    sameAsRepoAdd("oldest-first", List.of(all));
  }

  @Test
  void newestFirstOnAPathKeepsTheLastNamedAsRepoAddDoes() throws Exception {
    sameAsRepoAdd("newest-first", List.of(newestFirst()));
    // repo-add keeps the last one named, the older: so do we (and both delete the newer file)
    Path ours = tmp.resolve("newest-first-ours");
    assertEquals("7-1", DatabaseReader.read(ours.resolve("x.db.tar.zst")).get("sigma").orElseThrow().version());
  }

  @Test
  void overADatabaseHoldingTheOlderVersions() throws Exception {
    sameAsRepoAdd("upgrade", List.of(firstVersions(), all));
  }

  @Test
  void theSameRunAgainChangesNothing() throws Exception {
    Path dir = tmp.resolve("again");
    List<Path> files = TestPackages.copy(all, dir);
    LocalRepository repo = new LocalRepository(RepoLocation.of(dir.resolve("a.db.tar.gz")), RepoListener.SILENT);
    assertTrue(repo.add(files, AddOptions.DEFAULTS).written());
    byte[] before = Files.readAllBytes(dir.resolve("a.db.tar.gz"));
    // each older version replaces the newer one in turn, and the newer one comes back: no change
    AddResult again = repo.add(files, AddOptions.DEFAULTS.withRemoveOld(true));
    assertEquals(List.of(), again.added());
    assertTrue(!again.written(), "the database is not rewritten");
    // -R deletes the older versions named (replaced by the newer ones), never a file the database names
    assertEquals(3, again.deleted().size(), again.deleted().toString());
    for (RepoEntry e : repo.read().entries()) {
      assertTrue(Files.exists(dir.resolve(e.fileName())), e.fileName());
    }
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(dir.resolve("a.db.tar.gz"))));
  }

  @Test
  void onS3TheBucketHoldsWhatRepoAddLeavesInADirectory() throws Exception {
    for (String order : List.of("oldest", "newest", "upgrade")) {
      List<List<TestPackages.Pkg>> runs = switch (order) {
        case "oldest" -> List.of(all);
        case "newest" -> List.of(newestFirst());
        default -> List.of(firstVersions(), all);
      };
      Path theirs = tmp.resolve("s3-" + order + "-repo-add");
      Path local = tmp.resolve("s3-" + order + "-packages");
      String bucket = S3TestServer.newBucket();
      String options = BucketRepositoryTest.options(tmp, bucket);
      for (List<TestPackages.Pkg> run : runs) {
        List<Path> t = TestPackages.copy(run, theirs);
        List<Path> o = TestPackages.copy(run, local);
        sign(t);
        sign(o);
        List<String> args = new ArrayList<>(List.of("-R", "test.db.tar.gz"));
        args.addAll(names(t));
        Tools.repoTool(theirs, "repo-add", args).assertOk("repo-add -R");
        List<String> cmd = new ArrayList<>(List.of("repo", "add", "-R", "--grace", "0", "--single-writer", "--include-sigs",
            "-o", options, "s3://" + bucket + "/r/test.db.tar.gz"));
        o.forEach(p -> cmd.add(p.toString()));
        BucketRepositoryTest.Run r = BucketRepositoryTest.s3repofs(cmd);
        assertEquals(0, r.code(), r.toString());
      }
      Set<String> keys = new TreeSet<>();
      try (ObjectStore store = S3TestServer.store(bucket, null)) {
        for (var o : store.list("r/").objects()) {
          String name = o.key().substring(2);
          if (!name.contains(" ")) { // the '+' aliases AWS needs (README, "Names with '+'")
            keys.add(name);
          }
        }
      }
      Set<String> expected = new TreeSet<>(files(theirs));
      expected.removeIf(f -> !f.contains(".pkg.tar."));
      Set<String> packageKeys = new TreeSet<>(keys);
      packageKeys.removeIf(k -> !k.contains(".pkg.tar."));
      assertEquals(expected, packageKeys, order + ": package files and signatures in the bucket");
      assertEquals(RepoAddCompatibilityTest.dump(theirs.resolve("test.db.tar.gz")), dumpOf(bucket), order);
    }
  }

  private Map<String, String> dumpOf(String bucket) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("download-" + System.nanoTime()));
    for (String f : List.of("test.db.tar.gz", "test.files.tar.gz")) {
      Files.write(dir.resolve(f), S3TestServer.anonymousGet(bucket, "r/" + f).body());
    }
    return RepoAddCompatibilityTest.dump(dir.resolve("test.db.tar.gz"));
  }
}

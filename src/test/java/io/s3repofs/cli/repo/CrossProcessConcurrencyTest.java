package io.s3repofs.cli.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.pacman.DatabaseReader;
import io.s3repofs.pacman.RepoEntry;
import io.s3repofs.pacman.RepoLocation;
import io.s3repofs.pacman.RepoLock;
import io.s3repofs.pacman.TestPackages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Separate processes adding to one database at the same time: two s3repofs JVMs (each adding
 * one package per run, waiting for the lock) and Debian's repo-add in a retry loop (it fails
 * at once when the lock is held). No entry may be lost.
 */
class CrossProcessConcurrencyTest {
  @TempDir
  Path tmp;

  @Test
  void twoJvmsAndRepoAddLoseNoEntry() throws Exception {
    TestPackages.assumeRepoAdd();
    List<TestPackages.Pkg> distinct = new ArrayList<>(TestPackages.all().stream()
        .collect(java.util.stream.Collectors.toMap(TestPackages.Pkg::name, p -> p, (a, b) -> a,
            LinkedHashMap::new)).values()).subList(0, 15);
    Path dir = tmp.resolve("repo");
    List<Path> files = TestPackages.copy(distinct, dir);
    Path db = dir.resolve("cp.db.tar.gz");

    // hold the lock while all start, so that they really contend for it
    RepoLock held = RepoLock.acquire(RepoLocation.of(db).lockFile(), Duration.ZERO);
    List<Process> processes = new ArrayList<>();
    for (int j = 0; j < 2; j++) {
      List<String> cmd = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), RepoAddLoop.class.getName(), db.toString()));
      files.subList(j * 5, j * 5 + 5).forEach(f -> cmd.add(f.toString()));
      processes.add(new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(tmp.resolve("jvm" + j + ".log").toFile()).start());
    }
    StringBuilder loop = new StringBuilder("set -e; cd \"$1\"; shift; for p in \"$@\"; do n=0;"
        + " until repo-add -q --nocolor cp.db.tar.gz \"$p\" >>repo-add.log 2>&1; do"
        + " n=$((n+1)); [ $n -lt 600 ] || exit 1; sleep 0.05; done; done");
    List<String> cmd = new ArrayList<>(List.of("bash", "-c", loop.toString(), "loop", dir.toString()));
    files.subList(10, 15).forEach(f -> cmd.add(f.getFileName().toString()));
    processes.add(new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("repo-add-loop.log").toFile()).start());

    Thread.sleep(1500);
    held.close();
    for (int i = 0; i < processes.size(); i++) {
      Process p = processes.get(i);
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      String log = i < 2 ? Files.readString(tmp.resolve("jvm" + i + ".log"))
          : Files.readString(tmp.resolve("repo-add-loop.log"));
      assertEquals(0, p.exitValue(), "process " + i + ": " + log);
    }
    List<String> names = DatabaseReader.read(db).entries().stream().map(RepoEntry::name).sorted().toList();
    assertEquals(distinct.stream().map(TestPackages.Pkg::name).sorted().toList(), names, "no entry lost");
    assertEquals(names, DatabaseReader.read(dir.resolve("cp.files.tar.gz")).entries().stream()
        .map(RepoEntry::name).sorted().toList());
    assertEquals(0, RepoCommand.execute("verify", "-q", db.toString()));
    assertTrue(Files.readString(dir.resolve("repo-add.log")).contains("Failed to acquire lockfile"),
        "repo-add met the lock at least once");
  }
}

package io.s3repofs.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.testing.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's whole recipe as one command, against real parts: Debian's makepkg builds three
 * PKGBUILD directories (one split package, one arch=any), {@code s3repofs sync} publishes them
 * to the in-process S3 server through an in-process FUSE mount, and Debian's pacman, configured
 * with what {@code s3repofs pacman-conf} prints, installs them over anonymous HTTP. Then one
 * pkgver is bumped and {@code sync -u} publishes only that one.
 */
class SyncEndToEndTest {

  @TempDir
  Path tmp;

  @Test
  void syncsThreePkgbuildsThenUpgradesOnlyWhatChanged() throws Exception {
    SyncFixtures f = new SyncFixtures(tmp);
    Path alpha = f.pkgbuild("alpha", "1.0", "x86_64", "alpha");
    Path split = f.pkgbuild("duo", "2.0", "x86_64", "duo-core", "duo-extra");
    Path gamma = f.pkgbuild("gamma", "0.9", "any", "gamma");

    S3TestServer.get().resetCounts();
    long t0 = System.nanoTime();
    SyncFixtures.Run first = f.sync(alpha.toString(), split.toString(), gamma.toString());
    System.out.printf("sync of three PKGBUILDs: %.1f s, server saw %s%n%s", (System.nanoTime() - t0) / 1e9,
        S3TestServer.get().requestCounts(), first.out());
    assertEquals(0, first.exit(), first.toString());
    assertTrue(first.out().contains("packages: 4 added, 0 updated, 0 unchanged"), first.out());
    assertTrue(first.out().contains("repository: " + S3TestServer.get().endpoint() + "/" + f.bucket
        + "/repo/x86_64"), first.out());
    Map<String, Long> keys = f.keys();
    for (String pkg : List.of("alpha-1.0-1-x86_64", "duo-core-2.0-1-x86_64", "duo-extra-2.0-1-x86_64",
        "gamma-0.9-1-any")) {
      assertTrue(keys.keySet().stream().anyMatch(k -> k.startsWith("repo/x86_64/" + pkg + ".pkg.tar")),
          pkg + " in " + keys.keySet());
    }

    // pacman, set up with pacman-conf's section, installs everything anonymously over HTTP
    SyncFixtures.Run conf = SyncFixtures.run("pacman-conf", f.bucket, "--repo", "e2e", "--root",
        "repo/x86_64", "-o", f.options);
    assertEquals(0, conf.exit(), conf.toString());
    assertEquals("[e2e]\nSigLevel = Optional TrustAll\nServer = " + S3TestServer.get().endpoint() + "/"
        + f.bucket + "/repo/x86_64\n", conf.out());
    SyncFixtures.Pacman pacman = f.new Pacman(conf.out());
    pacman.run("-Sy");
    pacman.run("-S", "alpha", "duo-core", "duo-extra", "gamma");
    assertEquals("alpha 1.0-1\nduo-core 2.0-1\nduo-extra 2.0-1\ngamma 0.9-1\n", pacman.run("-Q"));
    assertEquals("gamma 0.9\n", Files.readString(pacman.root.resolve("usr/share/gamma/version")));

    // bump one pkgver; -u rebuilds and uploads only that one
    Files.writeString(gamma.resolve("PKGBUILD"), Files.readString(gamma.resolve("PKGBUILD"))
        .replace("pkgver=0.9", "pkgver=1.1"));
    String oldGamma = keys.keySet().stream().filter(k -> k.startsWith("repo/x86_64/gamma-0.9-1-any")).findFirst().orElseThrow();
    S3TestServer.get().resetCounts();
    SyncFixtures.Run upgrade = f.sync("-u", alpha.toString(), split.toString(), gamma.toString());
    assertEquals(0, upgrade.exit(), upgrade.toString());
    assertTrue(upgrade.out().contains("packages: 0 added, 1 updated, 3 unchanged, 1 old file(s) removed"), upgrade.out());
    assertTrue(upgrade.out().contains("updated   gamma 1.1-1 (was 0.9-1)"), upgrade.out());
    List<String> writes = S3TestServer.get().requestLog().stream()
        .filter(r -> r.startsWith("PUT") || r.startsWith("COPY") || r.startsWith("POST")).toList();
    assertTrue(writes.stream().noneMatch(r -> r.contains("/alpha-") || r.contains("/duo-")),
        "unchanged packages cost no upload: " + writes);
    assertTrue(writes.stream().anyMatch(r -> r.contains("/gamma-1.1-1-any.pkg.tar")), writes.toString());
    Map<String, Long> after = f.keys();
    assertFalse(after.containsKey(oldGamma), "the old file is gone from the bucket: " + after.keySet());
    assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("repo/x86_64/alpha-1.0-1-x86_64.pkg.tar")));

    pacman.run("-Syu");
    assertTrue(pacman.run("-Q", "gamma").contains("gamma 1.1-1"));
    assertEquals("gamma 1.1\n", Files.readString(pacman.root.resolve("usr/share/gamma/version")));

    // -u with nothing to do: no build, no write at all
    S3TestServer.get().resetCounts();
    SyncFixtures.Run idle = f.sync("-u", alpha.toString(), split.toString(), gamma.toString());
    assertEquals(0, idle.exit(), idle.toString());
    assertTrue(idle.out().contains("packages: 0 added, 0 updated, 4 unchanged"), idle.out());
    assertTrue(idle.err().lines().noneMatch(l -> l.contains("building")), idle.err());
    List<String> idleWrites = S3TestServer.get().requestLog().stream()
        .filter(r -> r.startsWith("PUT") || r.startsWith("COPY") || r.startsWith("DELETE") || r.startsWith("POST")).toList();
    assertEquals(List.of(), idleWrites);
    // nothing out of date: the bucket is read (one LIST, one GET of the database), nothing mounted
    assertEquals(2, S3TestServer.get().totalRequests(), S3TestServer.get().requestLog().toString());
    System.out.println("sync -u with nothing to do: " + S3TestServer.get().requestCounts() + "\n" + idle.out());
  }
}

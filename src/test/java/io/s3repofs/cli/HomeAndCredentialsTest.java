package io.s3repofs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.store.ObjectStore;
import io.s3repofs.store.StoreException;
import io.s3repofs.store.StoreSettings;
import io.s3repofs.testing.Mounts;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import io.s3repofs.testing.Shell;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * s3fs parity, in child processes whose environment the test sets: keys and the cache are found
 * under {@code $HOME} (not the JVM's user.home, /root here), no keys anywhere is one line saying
 * where they were looked for, and a mount that cannot start says so quickly.
 */
class HomeAndCredentialsTest {
  @TempDir Path tmp;

  record Run(int code, String out, String err, long millis) {}

  /** Runs the command line in a new JVM with only PATH and {@code env} in its environment. */
  static Run child(Map<String, String> env, List<String> jvm, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvm);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().putAll(env);
    long start = System.nanoTime();
    Process p = pb.start();
    p.getOutputStream().close();
    var err = p.getErrorStream();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String errText = new String(err.readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES));
    return new Run(p.exitValue(), out, errText, (System.nanoTime() - start) / 1_000_000);
  }

  static String endpointOptions() {
    return "url=" + S3TestServer.get().endpoint() + ",use_path_request_style";
  }

  static void assertOneLine(Run r, String... contains) {
    assertEquals(1, r.code(), r.toString());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    assertFalse(r.err().contains("Exception") || r.err().contains("\tat ") || r.err().contains("provider"), r.err());
    for (String c : contains) {
      assertTrue(r.err().contains(c), "expected '" + c + "' in: " + r.err());
    }
  }

  @Test
  void keysAndCacheAreFoundUnderHome() throws Exception {
    String bucket = S3TestServer.newBucket();
    Path home = Files.createDirectories(tmp.resolve("home"));
    S3Endpoint.s3proxy().passwdFile(home, bucket);
    Files.move(home.resolve("passwd-s3fs"), home.resolve(".passwd-s3fs"));
    assertFalse(home.toString().equals(System.getProperty("user.home")));
    Map<String, String> env = Map.of("HOME", home.toString());

    // the keys in $HOME/.passwd-s3fs get past the bucket check to the missing database
    Run list = child(env, List.of(), "repo", "list", "-o", endpointOptions(), "s3://" + bucket + "/r/x.db.tar.gz");
    assertOneLine(list, "was not found");

    // a mount keeps its cache in $HOME/.cache/s3repofs/BUCKET
    Mounts.assumeFuse();
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    Run mount = child(env, List.of(), "mount", bucket, mnt.toString(), "-o", endpointOptions());
    assertEquals(0, mount.code(), mount.toString());
    try {
      Files.writeString(mnt.resolve("hello.txt"), "hi\n");
      Path cache = home.resolve(".cache/s3repofs/" + bucket);
      assertTrue(Files.isRegularFile(cache.resolve("mount.log")), "cache under $HOME: " + cache);
    } finally {
      // The background mount process uploads hello.txt at unmount: wait for it to exit while this
      // JVM's S3 server is still up (it would otherwise retry for drain_timeout after the test).
      List<ProcessHandle> daemons = ProcessHandle.allProcesses().filter(p -> commandLine(p).contains(mnt + " ")).toList();
      assertFalse(daemons.isEmpty(), "the mount process of " + mnt);
      assertEquals(0, Shell.run(null, "fusermount", "-u", mnt.toString()).exitCode());
      for (ProcessHandle daemon : daemons) {
        daemon.onExit().get(60, TimeUnit.SECONDS);
      }
    }
  }

  /** A process's whole command line (ProcessHandle.Info cuts long ones, and ours has a long class path). */
  private static String commandLine(ProcessHandle p) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
          java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (java.io.IOException | RuntimeException e) {
      return "";
    }
  }

  @Test
  void noKeysAnywhereIsOneLineSayingWhereTheyWereLookedFor() throws Exception {
    String bucket = S3TestServer.newBucket();
    Path home = Files.createDirectories(tmp.resolve("empty-home"));
    Map<String, String> env = Map.of("HOME", home.toString(), "AWS_EC2_METADATA_DISABLED", "true");
    Run list = child(env, List.of(), "repo", "list", "-o", endpointOptions(), "s3://" + bucket + "/r/x.db.tar.gz");
    String[] where = {"no keys for bucket '" + bucket + "'", home.resolve(".passwd-s3fs").toString(),
        "/etc/passwd-s3fs", "AWS_ACCESS_KEY_ID", home.resolve(".aws").toString(), "passwd_file="};
    assertOneLine(list, where);
    System.out.println("no keys: " + list.err().strip());
    Mounts.assumeFuse();
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    Run mount = child(env, List.of(), "mount", bucket, mnt.toString(), "-o", endpointOptions());
    assertOneLine(mount, where);
  }

  @Test
  void aMountThatCannotStartSaysSoQuickly() throws Exception {
    Mounts.assumeFuse();
    String bucket = S3TestServer.newBucket();
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    Path wrong = tmp.resolve("wrong");
    Files.writeString(wrong, bucket + ":" + S3TestServer.get().accessKey() + ":not-the-secret\n");
    Files.setPosixFilePermissions(wrong, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Map<String, String> env = Map.of("HOME", tmp.toString());
    List<String> quick = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"); // as scripts/s3repofs
    Run badKeys = child(env, quick, "mount", bucket, mnt.toString(), "-o", endpointOptions()
        + ",passwd_file=" + wrong);
    assertOneLine(badKeys, "check the access key and secret");
    Run refused = child(env, quick, "mount", bucket, mnt.toString(), "-o",
        "url=http://127.0.0.1:9,use_path_request_style,passwd_file=" + wrong);
    assertOneLine(refused, "cannot reach http://127.0.0.1:9: connection refused");
    System.out.printf("failed mount: wrong keys %d ms, connection refused %d ms%n", badKeys.millis(), refused.millis());
    // only a sanity bound: this 2-core machine runs at a load of 10-18 (the figures are printed
    // and in the README); what makes it quick is checked in theBucketCheckDoesNotRetryAnswers
    assertTrue(badKeys.millis() < 30_000 && refused.millis() < 30_000, badKeys + " / " + refused);
    assertFalse(Mounts.isMounted(mnt));
  }

  @Test
  void theBucketCheckDoesNotRetryAnswers() {
    String bucket = S3TestServer.newBucket();
    StoreSettings closed = new StoreSettings(bucket, "", URI.create("http://127.0.0.1:9"), "us-east-1", true,
        StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")), null, 5L << 20, 4, 5,
        Duration.ofSeconds(30));
    for (int i = 0; i < 2; i++) { // the second run is warm: what is left is retries and backoff
      try (ObjectStore store = new ObjectStore(closed)) {
        long start = System.nanoTime();
        StoreException e = org.junit.jupiter.api.Assertions.assertThrows(StoreException.class, store::checkAccess);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(StoreException.Kind.UNREACHABLE, e.kind());
        if (i == 1) {
          // with 5 attempts and the SDK's backoff this took ~1 s
          assertTrue(millis < 500, "check took " + millis + " ms");
        }
      }
    }
  }
}

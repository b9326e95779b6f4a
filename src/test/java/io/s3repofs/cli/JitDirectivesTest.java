package io.s3repofs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.s3repofs.testing.Mounts;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import io.s3repofs.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mount started with {@code -Ds3repofs.c2=crypto} (as the launcher starts one) has HotSpot's
 * compiler directives that leave C2 to the JDK's cryptography, and serves files with them; a
 * mount without it keeps the JVM's default. Each mount is a child JVM, so the test JVM's own
 * compilers are left alone.
 */
class JitDirectivesTest {

  private static final Path JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd");

  @TempDir Path tmp;

  @Test
  void aMountStartedByTheLauncherLeavesC2ToCryptography() throws Exception {
    String printed = directivesOfAMount(List.of("-D" + JitDirectives.PROPERTY + "=crypto"), "with");
    // the crypto packages first (C2 kept), then everything else (C2 excluded, so C1's code stays)
    int crypto = printed.indexOf("sun/security/provider/*.*");
    int rest = printed.indexOf("matching: *.*");
    assertTrue(crypto >= 0 && rest > crypto, printed);
    assertTrue(printed.contains("com/sun/crypto/provider/*.*") && printed.contains("sun/security/ssl/*.*"), printed);
    String restC2 = printed.substring(printed.indexOf("c2 directives:", rest));
    assertTrue(restC2.contains("Exclude:true"), printed);
  }

  @Test
  void aMountWithoutThePropertyKeepsTheJvmsDefault() throws Exception {
    String printed = directivesOfAMount(List.of(), "without");
    assertFalse(printed.contains("sun/security/provider"), printed);
    assertTrue(printed.contains("Directive: (default)"), "jcmd printed the directives: " + printed);
  }

  /** Mounts in a child JVM, writes and reads a file through it, and prints its directives. */
  private String directivesOfAMount(List<String> jvmOptions, String name) throws Exception {
    assumeTrue(Files.isExecutable(JCMD), "no jcmd in " + JCMD.getParent());
    S3Endpoint s3 = S3Endpoint.s3proxy();
    String bucket = S3TestServer.newBucket();
    Path mnt = tmp.resolve("mnt-" + name);
    Path log = tmp.resolve(name + ".log");
    Process mount = Mounts.mountInChild(bucket, mnt, s3.options(s3.passwdFile(tmp, bucket))
        + ",use_cache=" + tmp.resolve("cache-" + name), log, jvmOptions);
    try {
      Files.writeString(mnt.resolve("note.txt"), "compiled either way\n");
      assertEquals("compiled either way\n", Files.readString(mnt.resolve("note.txt")));
      // the directives are added on a thread of their own after the mount is up: wait for them
      String printed = "";
      // (without the property, the 5 s until the deadline are the time they would have had)
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(jvmOptions.isEmpty() ? 5 : 30);
      do {
        printed = Shell.run(null, JCMD.toString(), Long.toString(mount.pid()), "Compiler.directives_print").output();
        if (printed.contains("sun/security/provider")) {
          break;
        }
        Thread.sleep(100);
      } while (System.nanoTime() < deadline);
      return printed;
    } finally {
      Shell.run(null, "fusermount", "-u", mnt.toString());
      assertTrue(mount.waitFor(60, TimeUnit.SECONDS), () -> Files.exists(log) ? log.toString() : "");
    }
  }
}

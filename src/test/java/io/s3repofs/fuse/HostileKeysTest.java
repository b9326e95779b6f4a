package io.s3repofs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.s3repofs.testing.Mounts;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import io.s3repofs.testing.Shell;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Keys no file name can stand for, put into the real S3 server by another client, then a real
 * mount of the bucket listed with ls: each is skipped with one warning, or shown as README says;
 * no listing fails, none shows "." or ".." twice, none leads outside the mount.
 */
class HostileKeysTest {
  @TempDir
  Path tmp;

  static final String LONG = "l/" + "n".repeat(300);

  /** Raw readdir entries (ls -f: unsorted, with . and ..), one per line. */
  static List<String> readdir(Path dir) throws Exception {
    Shell.Result r = Shell.run(null, "ls", "-f", "-a", "-1", "--quoting-style=escape", dir.toString());
    assertEquals(0, r.exitCode(), "ls " + dir + ": " + r.output());
    return r.output().lines().sorted().toList();
  }

  @Test
  void hostileKeysAreSkippedOnceOrShownSafely() throws Exception {
    String bucket = S3TestServer.newBucket();
    // straight into the server's blob store: its HTTP front normalizes "a//b" and "./x" in paths
    var blobs = S3TestServer.get().blobStore();
    for (String key : List.of("a//b", "./x", "../x", "../../etc/passwd", "x/../y", "x/./z", LONG,
          "c/bad\u0001name", "c/new\nline", "c/del\u007f", "c/bad\uFFFDutf8", "c/ok", "both", "both/inner", "m/inside",
        "fine.txt", "m/", "p/a+b c.txt", "p/%41%2F", "p/été €")) {
      String body = key.equals("m/") ? "a marker with a body" : "body of " + key;
      blobs.putBlob(bucket, blobs.blobBuilder(key).payload(body.getBytes(StandardCharsets.UTF_8)).build());
    }
    Logger logger = (Logger) LoggerFactory.getLogger("io.s3repofs.cache.ListingFilter");
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    logger.addAppender(log);
    S3Endpoint s3 = S3Endpoint.s3proxy();
    String options = s3.options(s3.passwdFile(tmp, bucket)) + ",use_cache=" + tmp.resolve("cache") + ",stat_cache_expire=1";
    Path mnt = tmp.resolve("mnt");
    try (Mounts.InProcess mount = Mounts.mount(bucket, mnt, options)) {
      for (int round = 0; round < 2; round++) {
        assertEquals(List.of(".", "..", "a", "both", "c", "fine.txt", "l", "m", "p", "x"), readdir(mnt));
        // LIST asks for URL-encoded keys (control characters cannot be XML text): '+', ' ', '%' survive
        try (var names = Files.list(mnt.resolve("p"))) {
          assertEquals(List.of("%41%2F", "a+b c.txt", "été €"),
              names.map(f -> f.getFileName().toString()).sorted().toList());
        }
        assertEquals("body of p/a+b c.txt", Files.readString(mnt.resolve("p/a+b c.txt")));
        assertEquals(List.of(".", ".."), readdir(mnt.resolve("a")), "a//b is skipped");
        assertEquals(List.of(".", ".."), readdir(mnt.resolve("x")), "x/../y and x/./z are skipped");
        assertEquals(List.of(".", ".."), readdir(mnt.resolve("l")), "a name over 255 bytes is skipped");
        assertEquals(List.of(".", "..", "ok"), readdir(mnt.resolve("c")), "control characters, U+FFFD skipped");
        assertTrue(Files.isDirectory(mnt.resolve("both")), "an object and a prefix: the directory");
        assertEquals(List.of(".", "..", "inner"), readdir(mnt.resolve("both")));
        assertEquals(List.of(".", "..", "inside"), readdir(mnt.resolve("m")), "a marker with a body: the directory");
        assertEquals("body of m/inside", Files.readString(mnt.resolve("m/inside")));
        assertEquals("body of fine.txt", Files.readString(mnt.resolve("fine.txt")));
        // nothing reaches outside the mount: .. of the root is the mount point's parent, as for any mount
        assertFalse(Files.exists(mnt.resolve("x/y")));
        assertFalse(Files.exists(mnt.resolve("c/ok/..").resolve("bad\u0001name")));
        Thread.sleep(1500); // the listings expire: the second round lists the bucket again
      }
      assertEquals(0, mount.unmount(), mount.stderr());
    } finally {
      logger.detachAppender(log);
    }
    List<String> warnings = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    for (String key : List.of("a//", "./", "../", "x/../", "x/./", "c/bad\\x01name", "c/new\\x0aline", "c/del\\x7f",
        "c/bad\\ufffdutf8", "both", "m/")) {
      long n = warnings.stream().filter(w -> w.startsWith("bucket key '" + key + "'")).count();
      assertEquals(1, n, "one warning for " + key + " in " + warnings);
    }
    assertEquals(1, warnings.stream().filter(w -> w.startsWith("bucket key 'l/nnn") && w.contains("over 255 bytes")).count(),
        warnings.toString());
    assertTrue(warnings.stream().allMatch(w -> w.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f)),
        "warnings are printable: " + warnings);
  }
}

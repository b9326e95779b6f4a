package io.s3repofs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to {@code s3repofs mount}: one line on stderr, the right exit status, no mount. */
class MountErrorsTest {

  @TempDir Path tmp;

  record Outcome(int status, String stderr) {}

  Outcome run(String... args) {
    StringWriter err = new StringWriter();
    int status = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
    return new Outcome(status, err.toString());
  }

  void assertOneLine(Outcome o, int status, String expected) {
    assertEquals(status, o.status(), o.stderr());
    String firstLine = o.stderr().lines().findFirst().orElse("");
    assertTrue(firstLine.contains(expected), "expected '" + expected + "' in: " + o.stderr());
    assertFalse(o.stderr().contains("Exception"), o.stderr());
    assertFalse(o.stderr().contains("\tat "), o.stderr());
    assertTrue(o.stderr().lines().count() <= 2, o.stderr());
  }

  Path mountPoint() throws Exception {
    return Files.createDirectories(tmp.resolve("mnt"));
  }

  String goodOptions(String bucket) throws Exception {
    return S3Endpoint.s3proxy().options(S3Endpoint.s3proxy().passwdFile(tmp, bucket)) + ",use_cache=" + tmp.resolve("c");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "nosuch_option                | unknown option 'nosuch_option'",
      "multipart_size=abc           | bad value for option 'multipart_size': 'abc'",
      "multipart_size=1             | bad value for option 'multipart_size': '1'",
      "default_acl=public           | bad value for option 'default_acl': 'public'",
      "umask=999                    | bad value for option 'umask'",
      "url=ftp://x                  | bad value for option 'url'",
      "symlinks=hard                | bad value for option 'symlinks'",
      "ro=1                         | option 'ro' takes no value",
      "url                          | option 'url' needs a value"})
  void badOptionsAreNamed(String option, String message) throws Exception {
    assertOneLine(run("mount", "bucket", mountPoint().toString(), "-f", "-o", option), 2, message);
  }

  @Test
  void missingBucketIsReportedBeforeMounting() throws Exception {
    String bucket = "no-such-bucket";
    assertOneLine(run("mount", bucket, mountPoint().toString(), "-f", "-o", goodOptions(bucket)), 1,
        "bucket 'no-such-bucket' does not exist");
  }

  @Test
  void aBackgroundMountReportsTheErrorOfItsMountProcess() throws Exception {
    String bucket = "no-such-bucket";
    Outcome o = run("mount", bucket, mountPoint().toString(), "-o", goodOptions(bucket));
    // reported by the command itself, which checks the bucket while the mount process starts
    assertOneLine(o, 1, "bucket 'no-such-bucket' does not exist");
    assertFalse(io.s3repofs.testing.Mounts.isMounted(mountPoint()));
  }

  @Test
  void aMountPointThatIsNotEmptyIsRefusedWithLibfusesReason() throws Exception {
    io.s3repofs.testing.Mounts.assumeFuse();
    String bucket = S3TestServer.newBucket();
    Files.writeString(mountPoint().resolve("file"), "x");
    assertOneLine(run("mount", bucket, mountPoint().toString(), "-o", goodOptions(bucket)), 1,
        "fuse: mountpoint is not empty; fuse: if you are sure this is safe, use the 'nonempty' mount option");
  }

  @Test
  void wrongKeysAreReportedWithoutTheSecret() throws Exception {
    String bucket = S3TestServer.newBucket();
    Path passwd = tmp.resolve("passwd");
    Files.writeString(passwd, bucket + ":" + S3TestServer.get().accessKey() + ":not-the-secret-123\n");
    Files.setPosixFilePermissions(passwd, PosixFilePermissions.fromString("rw-------"));
    Outcome o = run("mount", bucket, mountPoint().toString(), "-f", "-o",
        "url=" + S3TestServer.get().endpoint() + ",use_path_request_style,passwd_file=" + passwd);
    assertOneLine(o, 1, "check the access key and secret");
    assertFalse(o.stderr().contains("not-the-secret-123"));
  }

  @Test
  void passwdFileReadableByOthersIsRefused() throws Exception {
    Path passwd = tmp.resolve("passwd");
    Files.writeString(passwd, "bucket:key:secret\n");
    Files.setPosixFilePermissions(passwd, PosixFilePermissions.fromString("rw-r--r--"));
    assertOneLine(run("mount", "bucket", mountPoint().toString(), "-f", "-o", "passwd_file=" + passwd), 2,
        "readable by group or others; run: chmod 600");
  }

  @Test
  void unreachableEndpointIsReported() throws Exception {
    Path passwd = tmp.resolve("passwd");
    Files.writeString(passwd, "key:secret\n");
    Files.setPosixFilePermissions(passwd, PosixFilePermissions.fromString("rw-------"));
    assertOneLine(run("mount", "bucket", mountPoint().toString(), "-f", "-o",
        "url=http://127.0.0.1:9,use_path_request_style,retries=1,connect_timeout=2,passwd_file=" + passwd), 1,
        "cannot reach http://127.0.0.1:9");
  }

  @Test
  void missingMountPointAndBadBucketNamesAreUsageErrors() {
    assertOneLine(run("mount", "bucket", tmp.resolve("nope").toString(), "-f"), 2, "does not exist");
    assertOneLine(run("mount", "bad/bucket", tmp.toString(), "-f"), 2, "bad bucket name 'bad/bucket'");
    assertOneLine(run("mount"), 2, "Missing required parameters");
  }

  @Test
  void statusOfSomethingNotMountedIsAnError() {
    assertOneLine(run("status", tmp.toString()), 1, "no s3repofs mount at " + tmp);
  }
}

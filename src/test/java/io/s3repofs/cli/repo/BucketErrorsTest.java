package io.s3repofs.cli.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.cli.Main;
import io.s3repofs.pacman.TestPackages;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** User errors of repo commands on s3:// databases: one line, no stack trace, the right exit code. */
class BucketErrorsTest {
  @TempDir
  Path tmp;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  static void assertOneLine(int code, Run r, String contains) {
    assertEquals(code, r.code(), r.toString());
    assertTrue(r.err().contains(contains), r.err());
    assertEquals(1, r.err().strip().lines().filter(l -> !l.startsWith("Try '")).count(), "one line: " + r.err());
    assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.err());
  }

  @Test
  void bucketKeysUrlsAndMissingDatabases() throws Exception {
    S3Endpoint s3 = S3Endpoint.s3proxy();
    String bucket = S3TestServer.newBucket();
    String good = s3.options(s3.passwdFile(tmp, bucket));
    String pkg = TestPackages.all().get(0).path().toString();

    Path any = Files.createDirectories(tmp.resolve("any")).resolve("passwd");
    Files.writeString(any, s3.accessKey() + ":" + s3.secretKey() + "\n");
    Files.setPosixFilePermissions(any, PosixFilePermissions.fromString("rw-------"));
    assertOneLine(1, run("repo", "list", "-o", s3.options(any), "s3://no-such-bucket-here/r/x.db.tar.gz"),
        "bucket 'no-such-bucket-here' does not exist");
    Path wrong = Files.createDirectories(tmp.resolve("wrong")).resolve("passwd");
    Files.writeString(wrong, bucket + ":" + s3.accessKey() + ":not-the-secret\n");
    Files.setPosixFilePermissions(wrong, PosixFilePermissions.fromString("rw-------"));
    Run denied = run("repo", "add", "-o", s3.options(wrong), "s3://" + bucket + "/r/x.db.tar.gz", pkg);
    assertOneLine(1, denied, "check the access key and secret");
    assertFalse(denied.err().contains("not-the-secret"), "the secret is never printed");

    assertOneLine(1, run("repo", "list", "-o", good, "s3://" + bucket), "bad repository URL 's3://" + bucket + "'");
    assertOneLine(1, run("repo", "list", "-o", good, "s3://" + bucket + "/r/x.tar.gz"), "does not have a valid database archive extension");
    assertOneLine(1, run("repo", "list", "-o", good, "s3://Bad_Bucket/x.db.tar.gz"),
        "bad bucket name 'Bad_Bucket' in 's3://Bad_Bucket/x.db.tar.gz': upper-case 'B'; a bucket name has lower-case letters only");
    assertOneLine(1, run("repo", "list", "-o", good, "s3://b/x.db.tar.gz"),
        "bad bucket name 'b' in 's3://b/x.db.tar.gz': 1 character long; a bucket name has 3 to 63");
    assertOneLine(1, run("repo", "list", "-o", good, "s3://" + "a".repeat(64) + "/x.db.tar.gz"),
        "64 characters long; a bucket name has 3 to 63");
    assertOneLine(1, run("repo", "list", "-o", good, "s3://my!bucket/x.db.tar.gz"),
        "bad bucket name 'my!bucket' in 's3://my!bucket/x.db.tar.gz': character '!' is not allowed");
    assertOneLine(1, run("repo", "list", "-o", good, "s3://-bucket/x.db.tar.gz"),
        "it must begin and end with a letter or digit");
    assertOneLine(1, run("repo", "list", "-o", good, "s3://" + bucket + "/r/x.db.tar.gz"), "was not found");
    assertOneLine(1, run("repo", "verify", "-o", good, "s3://" + bucket + "/r/x.db.tar.gz"), "was not found");
    assertOneLine(1, run("repo", "remove", "-o", good, "--single-writer", "s3://" + bucket + "/r/x.db.tar.gz", "foo"), "was not found");

    assertOneLine(2, run("repo", "list", "-o", good + ",allow_other", "s3://" + bucket + "/r/x.db.tar.gz"),
        "option 'allow_other' applies to mount only");
    assertOneLine(2, run("repo", "list", "-o", "bogus=1", "s3://" + bucket + "/r/x.db.tar.gz"), "unknown option 'bogus'");
    assertOneLine(2, run("repo", "list", "-o", good, tmp.resolve("x.db.tar.gz").toString()), "-o applies only to s3://");
    Run help = run("repo", "add", "--help");
    assertTrue(help.out().contains("--single-writer") && help.out().contains("--sign") && help.out().contains("s3://"), help.out());
  }
}

package io.s3repofs.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.locals3.LocalS3Server;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code s3repofs local-s3 --bucket NAME} refuses a name S3 would refuse, before it starts: the
 * store under S3Proxy would create it, and every request to it would then answer NoSuchBucket
 * (a mount of {@code mb} said "bucket 'mb' does not exist" right after the server listed it).
 */
class LocalS3CommandTest {

  @Test
  void aTooShortBucketNameIsOneLineAndExitTwo() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(new PrintWriter(out, true), new PrintWriter(err, true),
        "local-s3", "--port", "0", "--bucket", "mb");
    assertEquals(2, status, err.toString());
    assertEquals(1, err.toString().lines().count(), err.toString());
    assertTrue(err.toString().startsWith("s3repofs: --bucket: bucket name 'mb' is not valid in S3"), err.toString());
    assertFalse(out.toString().contains("S3 endpoint"), "no server was started: " + out);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mb", "My-Repo", "repo_x", "-repo", "repo-", "re..po", "repo/x", ""})
  void namesS3RefusesAreRefused(String name) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LocalS3Server.checkBucketName(name));
    assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "repo", "my-repo.2026", "a1b"})
  void namesS3AcceptsAreAccepted(String name) {
    assertDoesNotThrow(() -> LocalS3Server.checkBucketName(name));
  }

  @Test
  void sixtyThreeCharactersIsTheLongestName() {
    assertDoesNotThrow(() -> LocalS3Server.checkBucketName("a".repeat(63)));
    assertThrows(IllegalArgumentException.class, () -> LocalS3Server.checkBucketName("a".repeat(64)));
  }
}

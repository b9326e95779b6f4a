package io.s3repofs.pacman;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The user's gpg, run the way repo-add runs it: {@code gpg --detach-sign --use-agent [-u KEY]
 * --no-armor} to sign a database, {@code gpg --verify} to check a package's signature. The
 * environment (GNUPGHOME, the agent) is the user's.
 */
public final class Gpg {
  private static final long TIMEOUT_SECONDS = 120;

  private final String program;
  private final String key;

  /**
   * @param key the key to sign with ({@code -u}), or null for gpg's default key
   */
  public Gpg(String key) {
    this("gpg", key);
  }

  Gpg(String program, String key) {
    this.program = program;
    this.key = key;
  }

  /**
   * Makes a binary detached signature of {@code file} into {@code signature} (replaced
   * atomically: a failure leaves no partial file).
   *
   * @throws RepoException with gpg's last message if signing fails
   */
  public void sign(Path file, Path signature) throws RepoException {
    Path temp = signature.resolveSibling(".tmp." + signature.getFileName());
    List<String> command = new ArrayList<>(List.of(program, "--batch", "--yes", "--detach-sign",
        "--use-agent", "--no-armor"));
    if (key != null) {
      command.addAll(List.of("-u", key));
    }
    command.addAll(List.of("--output", temp.toString(), file.toString()));
    try {
      run(command, "cannot sign " + file.getFileName());
      Files.move(temp, signature, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw e instanceof RepoException re ? re
          : new RepoException("cannot sign " + file.getFileName() + ": " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // best effort
      }
    }
  }

  /**
   * Checks a detached signature of {@code file} with the user's keyring.
   *
   * @throws RepoException naming the file if the signature is missing, bad, or made by an
   *     unknown key
   */
  public void verify(Path signature, Path file) throws RepoException {
    if (!Files.isRegularFile(signature)) {
      throw new RepoException(file + ": no signature (" + signature.getFileName() + " is missing)");
    }
    run(List.of(program, "--batch", "--verify", signature.toString(), file.toString()),
        file + ": signature check failed");
  }

  private static void run(List<String> command, String failure) throws RepoException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new RepoException(failure + ": cannot run " + command.get(0)
          + " (is gnupg installed?)", e);
    }
    try {
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new RepoException(failure + ": gpg did not finish in " + TIMEOUT_SECONDS + " s");
      }
      if (p.exitValue() != 0) {
        throw new RepoException(failure + ": " + lastLine(out));
      }
    } catch (IOException e) {
      throw new RepoException(failure + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new RepoException(failure + ": interrupted", e);
    }
  }

  /** gpg's most telling line: the last one starting with "gpg:", without the prefix. */
  private static String lastLine(String output) {
    String last = "gpg failed";
    for (String line : output.lines().toList()) {
      if (line.startsWith("gpg: ") && !line.isBlank()) {
        last = line.substring(5).trim();
      }
    }
    return last;
  }
}

package io.s3repofs.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs real commands (cp, mv, repo-add, pacman, ...) for the integration tests. */
public final class Shell {

  private Shell() {}

  /** The result of one command. */
  public record Result(int exitCode, String output) {}

  public static Result run(Path dir, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir == null ? null : dir.toFile())
        .redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + List.of(command));
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** Runs {@code bash -c script} and fails the test unless it exits 0. */
  public static String bash(Path dir, String script) throws IOException, InterruptedException {
    Result r = run(dir, "bash", "-euo", "pipefail", "-c", script);
    if (r.exitCode() != 0) {
      throw new AssertionError("exit " + r.exitCode() + " from: " + script + "\n" + r.output());
    }
    return r.output();
  }

  public static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (java.nio.file.Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}

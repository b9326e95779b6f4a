package io.s3repofs.pacman;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real command-line tools (repo-add, bsdtar, ...) from tests. */
final class Tools {
  private Tools() {}

  /** A finished command: exit code and combined output. */
  record Result(int exitCode, String output) {
    Result assertOk(String what) {
      if (exitCode != 0) {
        throw new AssertionError(what + " failed with exit " + exitCode + ":\n" + output);
      }
      return this;
    }
  }

  /**
   * Runs a command in a directory, with LC_ALL=C and a 120 s limit. The output goes to a file,
   * not a pipe: a daemon the command starts and leaves running (gpg-agent, dirmngr from gpg and
   * pacman-key) may keep the descriptors it inherited, and a reader of a pipe would wait for it
   * to exit rather than for the command. A command slower than 30 s says so on stderr.
   */
  static Result run(Path dir, String... command) throws IOException, InterruptedException {
    return run(dir, List.of(command));
  }

  static Result run(Path dir, List<String> command) throws IOException, InterruptedException {
    Path output = java.nio.file.Files.createTempFile("s3repofs-tool-", ".out");
    try {
      ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command))
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(output.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().put("LC_ALL", "C");
      long started = System.nanoTime();
      Process p = pb.start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + command + "\n" + java.nio.file.Files.readString(output));
      }
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
      if (seconds > 30) {
        System.err.println("Tools: " + command + " took " + seconds + " s");
      }
      return new Result(p.exitValue(), new String(java.nio.file.Files.readAllBytes(output), StandardCharsets.UTF_8));
    } finally {
      java.nio.file.Files.deleteIfExists(output);
    }
  }

  /** repo-add (or repo-remove) with arguments, run in {@code dir}. */
  static Result repoTool(Path dir, String tool, List<String> args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("/usr/bin/" + tool);
    cmd.add("--nocolor");
    cmd.addAll(args);
    return run(dir, cmd);
  }
}

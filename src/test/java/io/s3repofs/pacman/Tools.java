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

  /** Runs a command in a directory, with LC_ALL=C and a 120 s limit. */
  static Result run(Path dir, String... command) throws IOException, InterruptedException {
    return run(dir, List.of(command));
  }

  static Result run(Path dir, List<String> command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command))
        .directory(dir.toFile())
        .redirectErrorStream(true);
    pb.environment().put("LC_ALL", "C");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + command);
    }
    return new Result(p.exitValue(), out);
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

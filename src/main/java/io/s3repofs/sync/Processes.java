package io.s3repofs.sync;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Runs the external programs a sync needs (makepkg, repo-add, repose, aurutils). */
final class Processes {

  private Processes() {}

  /** The output of a finished program. */
  record Result(int exitCode, String output) {}

  /** Runs a program with stdin from /dev/null, stdout and stderr into {@code log}. */
  static int run(List<String> command, Path directory, Map<String, String> env, Path log)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    if (directory != null) {
      builder.directory(directory.toFile());
    }
    builder.environment().putAll(env);
    return builder.start().waitFor();
  }

  /** Runs a program and returns its standard output (stderr into {@code log}). */
  static Result capture(List<String> command, Path directory, Map<String, String> env, Path log)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    if (directory != null) {
      builder.directory(directory.toFile());
    }
    builder.environment().putAll(env);
    Process p = builder.start();
    byte[] out = p.getInputStream().readAllBytes();
    return new Result(p.waitFor(), new String(out, StandardCharsets.UTF_8));
  }

  /** The executable named {@code program} on PATH, if any. */
  static java.util.Optional<Path> onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return java.util.Optional.of(candidate);
      }
    }
    return java.util.Optional.empty();
  }

  /** The last non-blank line of a log, for one-line error messages. */
  static String lastLine(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
          .filter(l -> !l.isBlank()).toList();
      return lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
    } catch (IOException e) {
      return "";
    }
  }
}

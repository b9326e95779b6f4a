package io.s3repofs.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs one command and says how it went and how long it took. */
final class Shell {

  private Shell() {}

  /** What a command did: exit status (-1: timed out), merged output (the last 4 MiB: an {@code ls -l} of 10,000 files is 700 KB), seconds. */
  record Result(int exit, String output, double seconds) {
    boolean ok() {
      return exit == 0;
    }

    String lastLine() {
      String t = output.strip();
      int i = t.lastIndexOf('\n');
      return i < 0 ? t : t.substring(i + 1);
    }
  }

  static Result run(Duration timeout, Path cwd, List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("bench-cmd", ".out");
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
      if (cwd != null) {
        pb.directory(cwd.toFile());
      }
      long t0 = System.nanoTime();
      Process p = pb.start();
      boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (!done) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor();
      }
      byte[] bytes = Files.readAllBytes(out);
      int from = Math.max(0, bytes.length - (4 << 20));
      String text = new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
      return new Result(done ? p.exitValue() : -1, text, seconds);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  static Result run(Duration timeout, Path cwd, String... command) throws IOException, InterruptedException {
    return run(timeout, cwd, List.of(command));
  }

  /** Runs a command that must succeed. */
  static Result check(Duration timeout, Path cwd, String... command) throws IOException, InterruptedException {
    Result r = run(timeout, cwd, command);
    if (!r.ok()) {
      throw new IOException(String.join(" ", command) + " failed (" + (r.exit() < 0 ? "timed out" : "exit " + r.exit())
          + "): " + r.lastLine());
    }
    return r;
  }

  static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}

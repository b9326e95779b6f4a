package io.s3repofs.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code conformance/syscall.py} (one system call through Python's {@code os} module) as
 * root or, through {@code setpriv}, as another uid/gid, and returns its one-line answer.
 */
public final class SyscallDriver {
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private final Path script;

  /** Copies the script where any user can run it. */
  public SyscallDriver(Path dir) throws IOException {
    assumeTrue(Files.isExecutable(PYTHON), "no /usr/bin/python3");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "no setpriv (util-linux)");
    assumeTrue("root".equals(System.getProperty("user.name")), "the conformance suite runs as root");
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    script = dir.resolve("syscall.py");
    try (InputStream in = SyscallDriver.class.getResourceAsStream("/conformance/syscall.py")) {
      Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /**
   * One call, as {@code uid:gid} (uid 0: as root, unchanged). Returns "OK [fields]" or
   * "ERR ERRNO".
   */
  public String call(int uid, int gid, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (uid != 0) {
      cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups"));
    }
    cmd.add(PYTHON.toString());
    cmd.add(script.toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("syscall.py hung: " + cmd);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (p.exitValue() != 0 || !(out.equals("OK") || out.startsWith("OK ") || out.startsWith("ERR "))) {
      throw new AssertionError("syscall.py " + String.join(" ", args) + ": exit " + p.exitValue() + ": " + out);
    }
    return out;
  }

  /** The fields of a stat answer ("OK type=reg perm=0644 ..."); empty for an error. */
  public static Map<String, String> fields(String answer) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String f : answer.split(" ")) {
      int eq = f.indexOf('=');
      if (eq > 0) {
        out.put(f.substring(0, eq), f.substring(eq + 1));
      }
    }
    return out;
  }
}

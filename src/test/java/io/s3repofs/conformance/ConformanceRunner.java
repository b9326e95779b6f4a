package io.s3repofs.conformance;

import io.s3repofs.testing.SyscallDriver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs one {@link ConformanceCase} in a directory and returns what it observed. */
final class ConformanceRunner {
  static final int USER = 4242;
  static final int OTHER = 4343;

  private final SyscallDriver driver;

  ConformanceRunner(SyscallDriver driver) {
    this.driver = driver;
  }

  /** Observation string, comparable with {@link ConformanceCase#expected()}. */
  String run(ConformanceCase c, Path root) throws Exception {
    String dir = root.resolve(c.name()).toString();
    must(0, "mkdir " + dir + " 777");
    for (String step : c.setup()) {
      String who = step.startsWith("@") ? step.substring(1, 2) : "root";
      String call = step.startsWith("@") ? step.substring(3) : step;
      must(uid(who), call.replace("$", dir));
    }
    Map<String, String> before = c.before() == null ? Map.of() : SyscallDriver.fields(must(0, "lstat " + c.before().replace("$", dir)));
    if (c.timed()) {
      Thread.sleep(1100); // the mount keeps times in seconds once a file is in the bucket
    }
    String result = call(uid(c.who()), c.call().replace("$", dir));
    StringBuilder out = new StringBuilder(result.startsWith("OK") ? "OK" : result);
    if (!c.observe().isEmpty()) {
      String afterAnswer = call(0, "lstat " + c.after().replace("$", dir));
      Map<String, String> after = SyscallDriver.fields(afterAnswer);
      for (String o : c.observe()) {
        out.append(' ');
        if (o.equals("stat")) {
          out.append("stat=").append(afterAnswer.startsWith("OK") ? "OK" : afterAnswer.substring(4));
        } else if (o.endsWith("~")) {
          String f = o.substring(0, o.length() - 1);
          out.append(f).append('=').append(before.get(f) != null && before.get(f).equals(after.get(f)) ? "same" : "changed");
        } else if (o.contains("==")) {
          String[] f = o.split("==");
          out.append(f[0]).append('=').append(f[1].equals(after.get(f[0])) ? "set" : "other");
        } else if (o.startsWith("ino!=")) {
          String other = SyscallDriver.fields(must(0, "lstat " + o.substring(5).replace("$", dir))).get("ino");
          out.append("ino=").append(other.equals(after.get("ino")) ? "equal" : "distinct");
        } else {
          out.append(o).append('=').append(after.get(o));
        }
      }
    }
    return out.toString();
  }

  private static int uid(String who) {
    return switch (who) {
      case "root" -> 0;
      case "u" -> USER;
      case "o" -> OTHER;
      default -> throw new IllegalArgumentException(who);
    };
  }

  private String call(int uid, String line) throws Exception {
    List<String> args = new ArrayList<>(List.of(line.split(" ")));
    return driver.call(uid, uid, args.toArray(String[]::new));
  }

  private String must(int uid, String line) throws Exception {
    String answer = call(uid, line);
    if (!answer.startsWith("OK")) {
      throw new AssertionError("set-up call failed: " + line + ": " + answer);
    }
    return answer;
  }
}

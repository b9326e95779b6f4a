package io.s3repofs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every command's one-line summary in {@code --help} (of s3repofs and of each command with
 * subcommands) is a whole sentence: the summary picocli lists is the first line of the
 * command's description, so that line must end a sentence.
 */
class HelpTextTest {

  /** The "Commands:" section of a help text, each command's summary with wrapped lines joined. */
  static Map<String, String> summaries(String... args) {
    StringWriter out = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), args);
    assertEquals(0, code, out.toString());
    Map<String, String> result = new LinkedHashMap<>();
    boolean in = false;
    String current = null;
    for (String line : out.toString().lines().toList()) {
      if (line.equals("Commands:")) {
        in = true;
      } else if (in && line.isBlank()) {
        break;
      } else if (in && line.matches("  \\S.*")) {
        String[] f = line.strip().split("\\s{2,}", 2);
        current = f[0];
        result.put(current, f.length > 1 ? f[1] : "");
      } else if (in && current != null) {
        result.merge(current, line.strip(), (a, b) -> a + (a.endsWith("-") || a.endsWith(".") && b.matches("[a-z].*") ? "" : " ") + b);
      }
    }
    assertFalse(result.isEmpty(), "no command list in: " + out);
    return result;
  }

  @Test
  void noSummaryLineIsCut() {
    List<String> cut = new ArrayList<>();
    Map<String, String> top = summaries("--help");
    assertTrue(top.keySet().containsAll(List.of("mount", "status", "repo", "local-s3")), top.toString());
    top.forEach((cmd, summary) -> check("s3repofs " + cmd, summary, cut));
    summaries("repo", "--help").forEach((cmd, summary) -> check("s3repofs repo " + cmd, summary, cut));
    assertEquals(List.of(), cut, "summaries cut mid-sentence");
  }

  private static void check(String cmd, String summary, List<String> cut) {
    // a whole sentence ends with a full stop; picocli's own "help" command's summary does too
    if (!summary.matches("[A-Z].*[.]") || summary.matches(".*\\b(and|or|the|a|of|to|with|,)\\.?$")) {
      cut.add(cmd + ": '" + summary + "'");
    }
  }

  @Test
  void eachCommandsOwnHelpStartsWithItsSummary() {
    for (String cmd : List.of("mount", "status", "local-s3", "umount", "repo")) {
      StringWriter out = new StringWriter();
      assertEquals(0, Main.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), cmd, "--help"));
      String summary = summaries("--help").get(cmd.equals("umount") ? "umount, unmount" : cmd);
      assertTrue(out.toString().replaceAll("\\s+", " ").contains(summary), cmd + ": " + out);
    }
  }

  /** Main gives a picocli model only to the command named, so each name must lead to its command. */
  @Test
  void everyNameTheHelpListsRunsThatCommand() {
    for (String names : summaries("--help").keySet()) {
      String canonical = names.split(", ")[0];
      for (String name : names.split(", ")) {
        StringWriter out = new StringWriter();
        assertEquals(0, Main.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), name, "--help"), name);
        assertTrue(out.toString().contains("Usage: s3repofs " + canonical + " "), name + ": " + out);
        // s3fs's form (BUCKET MOUNTPOINT, no command) must not take a command's name for a bucket
        assertEquals(List.of(name, "a", "b"), List.of(Main.dropIn(new String[] {name, "a", "b"})));
      }
    }
    assertEquals(List.of("mount", "bucket", "/mnt"), List.of(Main.dropIn(new String[] {"bucket", "/mnt"})));
  }
}

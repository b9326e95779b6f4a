package io.s3repofs.pacman;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Vercmp} against Debian's real {@code /usr/bin/vercmp} (pacman 6.0.2). */
class VercmpTest {
  private static final Path VERCMP = Path.of("/usr/bin/vercmp");

  /** Hand-picked pairs that exercise every branch of the algorithm. */
  private static final String[][] TRICKY = {
    {"1.0a", "1.0"}, {"1:1.0", "2.0"}, {"1.0-1", "1.0"}, {"1.0.", "1.0"}, {"a", "1"},
    {"1..0", "1.0"}, {"1.0_1", "1.0.1"}, {"1.0+git", "1.0"}, {"1.0~rc1", "1.0"},
    {"1.0", "1.0"}, {"1.0-1", "1.0-2"}, {"1.0-10", "1.0-9"}, {"001", "1"}, {"1.01", "1.1"},
    {"1.0rc1", "1.0"}, {"1.0alpha", "1.0beta"}, {"1.0", "1.0.0"}, {"2:0.1", "1:9.9"},
    {":1.0", "0:1.0"}, {"0:1.0", "1.0"}, {"1.0-1.1", "1.0-1"}, {"1.0-1", "1.0-1.0"},
    {"1.0a1", "1.0a"}, {"1.0.a", "1.0a"}, {"1.0", "1.0a"}, {"", "0"}, {"", ""},
    {"1.0-", "1.0"}, {"1.0--1", "1.0-1"}, {"1:2:3", "1:2"}, {"1.2.3-1.2", "1.2.3-1.2.1"},
    {"20240101", "2024.01.01"}, {"999999999999999999999", "1000000000000000000000"},
    {"1_0", "1.0"}, {"1..0", "1...0"}, {"a.b", "a.b.c"}, {"1.0-a", "1.0-1"}, {"1+2", "1.2"},
    {"1.0+git20240101", "1.0+git20231231"}, {"r100", "r99"}, {"1.0.0.0.0", "1.0.0.0"},
    {"-1", "1"}, {"1-", "1-0"}, {"abc", "abd"}, {"ABC", "abc"}, {"1.0RC", "1.0rc"},
  };

  @Test
  void trickyPairsHaveTheKnownAnswers() {
    assertEquals(-1, Vercmp.compare("1.0a", "1.0"));
    assertEquals(-1, Vercmp.compare("1:1.0", "2.0") * -1);
    assertEquals(0, Vercmp.compare("1.0-1", "1.0"));
    assertEquals(1, Vercmp.compare("1.0.1", "1.0"));
    assertEquals(-1, Vercmp.compare("a", "1"));
    assertEquals(0, Vercmp.compare("001", "1"));
    assertEquals(1, Vercmp.compare("1.0-10", "1.0-9"));
  }

  @Test
  void agreesWithDebiansVercmpBinary(@TempDir Path tmp) throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(VERCMP),
        "skipped: /usr/bin/vercmp is absent (apt-get install pacman-package-manager)");
    List<String[]> pairs = pairs();
    assertTrue(pairs.size() >= 500, "expected several hundred pairs, got " + pairs.size());
    List<Integer> expected = runBinary(tmp, pairs);
    List<String> mismatches = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      String a = pairs.get(i)[0];
      String b = pairs.get(i)[1];
      int ours = Vercmp.compare(a, b);
      if (ours != expected.get(i)) {
        mismatches.add("vercmp '" + a + "' '" + b + "': binary " + expected.get(i)
            + ", ours " + ours);
      }
      // antisymmetry is part of the contract the repo code relies on
      if (Vercmp.compare(b, a) != -ours) {
        mismatches.add("not antisymmetric: '" + a + "' '" + b + "'");
      }
    }
    assertEquals(List.of(), mismatches, mismatches.size() + " of " + pairs.size() + " differ");
  }

  /** All pairs: the tricky ones, both ways, then deterministic random ones. */
  static List<String[]> pairs() {
    Set<String> seen = new LinkedHashSet<>();
    List<String[]> out = new ArrayList<>();
    for (String[] p : TRICKY) {
      add(out, seen, p[0], p[1]);
      add(out, seen, p[1], p[0]);
    }
    Random random = new Random(20240601L);
    String[] atoms = {"0", "1", "2", "9", "10", "01", "007", "a", "b", "rc", "alpha", "Z",
      ".", "..", "_", "+", "~", "-", ":", "git", "r", "pre", "p", "123456789012"};
    while (out.size() < 700) {
      String a = randomVersion(random, atoms);
      // half the time derive b from a so that the long common prefixes are exercised
      String b = random.nextBoolean() ? mutate(random, a, atoms) : randomVersion(random, atoms);
      add(out, seen, a, b);
    }
    return out;
  }

  private static void add(List<String[]> out, Set<String> seen, String a, String b) {
    if (seen.add(a + "\u0000" + b)) {
      out.add(new String[] {a, b});
    }
  }

  private static String randomVersion(Random random, String[] atoms) {
    StringBuilder sb = new StringBuilder();
    if (random.nextInt(6) == 0) {
      sb.append(random.nextInt(3)).append(':');
    }
    int n = 1 + random.nextInt(6);
    for (int i = 0; i < n; i++) {
      sb.append(atoms[random.nextInt(atoms.length)]);
    }
    if (random.nextInt(3) == 0) {
      sb.append('-').append(1 + random.nextInt(12));
      if (random.nextInt(4) == 0) {
        sb.append('.').append(random.nextInt(3));
      }
    }
    return sb.toString();
  }

  private static String mutate(Random random, String a, String[] atoms) {
    StringBuilder sb = new StringBuilder(a);
    switch (random.nextInt(4)) {
      case 0 -> sb.append(atoms[random.nextInt(atoms.length)]);
      case 1 -> sb.insert(random.nextInt(sb.length() + 1), atoms[random.nextInt(atoms.length)]);
      case 2 -> {
        if (sb.length() > 1) {
          sb.deleteCharAt(random.nextInt(sb.length()));
        }
      }
      default -> sb.setCharAt(random.nextInt(sb.length()), "0123456789ab.-:_".charAt(random.nextInt(16)));
    }
    return sb.toString();
  }

  /** Runs every pair through the real binary, from one shell loop (fast: no JVM forks). */
  private static List<Integer> runBinary(Path tmp, List<String[]> pairs) throws IOException, InterruptedException {
    Path input = tmp.resolve("pairs.txt");
    StringBuilder sb = new StringBuilder();
    for (String[] p : pairs) {
      sb.append(p[0]).append('|').append(p[1]).append('\n');
    }
    Files.writeString(input, sb, StandardCharsets.UTF_8);
    Path output = tmp.resolve("results.txt");
    Process process = new ProcessBuilder("bash", "-c",
        "while IFS='|' read -r a b; do /usr/bin/vercmp \"$a\" \"$b\" || echo ERR; done < \"$1\"",
        "vercmp-batch", input.toString())
        .redirectOutput(output.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "vercmp batch did not finish in 60 s");
    assertEquals(0, process.exitValue());
    List<Integer> results = new ArrayList<>();
    for (String line : Files.readAllLines(output)) {
      results.add(Integer.parseInt(line.trim()));
    }
    assertEquals(pairs.size(), results.size(), "one result per pair");
    return results;
  }
}

package io.s3repofs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The launchers decide, as {@link Main#dropIn} does, that a command line whose first word is no
 * command is s3fs's (mount): each keeps the command names in a {@code case} pattern, which must
 * be Main's names exactly. A command added to Main but not to a launcher would be mounted as a
 * bucket by that launcher.
 */
class LauncherCommandNamesTest {

  @ParameterizedTest
  @ValueSource(strings = {"scripts/s3repofs", "scripts/install.sh"})
  void theLaunchersKnowEveryCommandName(String launcher) throws Exception {
    List<String> patterns = Files.readAllLines(Path.of(launcher)).stream()
        .map(String::trim)
        .filter(l -> l.startsWith("mount | umount |") && l.endsWith(";;"))
        .toList();
    assertEquals(1, patterns.size(), launcher + ": the case pattern of command names: " + patterns);
    Set<String> names = Arrays.stream(patterns.get(0).replaceFirst("\\).*", "").split("\\|"))
        .map(String::trim)
        .filter(n -> !n.equals("-*") && !n.equals("\"\""))
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(new TreeSet<>(Main.commandNames()), names, launcher);
  }

  /** One word that is no command: a typo, or s3fs's form without its mount point. */
  @ParameterizedTest
  @ValueSource(strings = {"mybucket", "moutn"})
  void oneWordThatIsNoCommandNamesTheCommands(String word) {
    java.io.StringWriter err = new java.io.StringWriter();
    int code = Main.run(new java.io.PrintWriter(new java.io.StringWriter(), true), new java.io.PrintWriter(err, true), word);
    assertEquals(2, code);
    assertEquals(List.of("s3repofs: unknown command '" + word + "' (commands: mount, umount, sync, pacman-conf,"
        + " status, repo, local-s3, help; s3fs's form is s3repofs BUCKET MOUNTPOINT [-o OPTIONS])",
        "Try 's3repofs --help' for more information."), err.toString().lines().toList());
  }

  @ParameterizedTest
  @ValueSource(strings = {"mybucket", "mybucket:/repo", "my.bucket-1"})
  void mainTakesABucketFirstForMount(String bucket) {
    assertArrayEquals(new String[] {"mount", bucket, "/mnt", "-o", "ro"},
        Main.dropIn(new String[] {bucket, "/mnt", "-o", "ro"}));
    for (String name : Main.commandNames()) {
      assertTrue(Main.dropIn(new String[] {name, "x"})[0].equals(name), name);
    }
  }
}

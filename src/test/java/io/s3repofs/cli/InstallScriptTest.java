package io.s3repofs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.s3repofs.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/install.sh into a scratch prefix (from the jar already built: --no-build): the
 * launcher runs, bash completes the commands (picocli's AutoComplete script), and man renders
 * the pages.
 */
class InstallScriptTest {

  @TempDir
  Path prefix;

  @Test
  void installsLauncherCompletionAndManPages() throws Exception {
    assumeTrue(Files.exists(Path.of("target/classpath.txt")), "the jar is not built (./mvnw package)");
    assumeTrue(Shell.onPath("java"), "java is not on PATH");
    Shell.bash(null, "bash scripts/install.sh --no-build " + prefix);
    Path launcher = prefix.resolve("bin/s3repofs");
    assertTrue(Files.isExecutable(launcher));
    String help = Shell.bash(null, launcher + " sync --help");
    assertTrue(help.contains("--repo") && help.contains("--root") && help.contains("--upgrades"), help);
    String completions = Shell.bash(null, "source " + prefix.resolve("share/bash-completion/completions/s3repofs")
        + "; COMP_WORDS=(s3repofs sy); COMP_CWORD=1; COMP_LINE='s3repofs sy'; COMP_POINT=11;"
        + " _complete_s3repofs; printf '%s\\n' \"${COMPREPLY[@]}\"");
    assertEquals("sync", completions.strip());
    assertTrue(Files.exists(prefix.resolve("share/zsh/site-functions/_s3repofs")));
    // S3Proxy's jars are on the path of local-s3 alone: every other command starts without them
    try (var jars = Files.list(prefix.resolve("lib/s3repofs/lib"))) {
      assertTrue(jars.noneMatch(j -> j.getFileName().toString().startsWith("s3proxy")), "s3proxy in lib/");
    }
    Process server = new ProcessBuilder(launcher.toString(), "local-s3", "--port", "0", "--bucket", "installed")
        .redirectErrorStream(true).start();
    try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream()))) {
      String first = out.readLine();
      assertTrue(first != null && first.startsWith("S3 endpoint http://127.0.0.1:"), String.valueOf(first));
    } finally {
      server.destroy();
      server.waitFor();
    }
    // a mount gets the JVM settings scripts/s3repofs gives it (java -version ends the run there)
    String flags = "S3REPOFS_NO_CDS=1 S3REPOFS_JAVA_OPTS='-XX:+PrintCommandLineFlags -XshowSettings:properties -version' ";
    for (String run : List.of(launcher.toString(), "scripts/s3repofs")) {
      String printed = Shell.bash(null, flags + run + " mount 2>&1");
      for (String flag : List.of("-XX:CompileThresholdScaling=3", "-XX:+UseSerialGC", "-XX:MaxHeapSize=268435456",
          "-XX:MaxDirectMemorySize=67108864", JitDirectives.PROPERTY + " = crypto")) {
        assertTrue(printed.contains(flag), run + " mount: no " + flag + " in " + printed);
      }
    }
    assumeTrue(Shell.onPath("man"), "man is not installed");
    String man = Shell.bash(null, "MANWIDTH=100 man -l " + prefix.resolve("share/man/man1/s3repofs-sync.1") + " | col -b");
    assertTrue(man.contains("S3REPOFS_SYNC(1)") && man.contains("aursync's flag names"), man);
  }
}

package io.s3repofs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;

/**
 * Writes the bash completion script of every command (scripts/install.sh runs it): picocli's
 * own {@code AutoComplete} main reads the subcommands from the annotation, and {@link Main}
 * names them in code.
 */
public final class CompletionScript {

  private CompletionScript() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: CompletionScript FILE");
      System.exit(2);
    }
    Files.writeString(Path.of(args[0]), AutoComplete.bash("s3repofs", Main.commandLine(null)), StandardCharsets.UTF_8);
  }
}

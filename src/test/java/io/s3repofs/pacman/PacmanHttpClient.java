package io.s3repofs.pacman;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's real pacman as a client of one repository served over HTTP, with its own
 * configuration, database, cache and root directories under one temporary directory.
 */
final class PacmanHttpClient {
  private final Path dir;
  private final List<String> base;

  /**
   * @param repo the repository name ({@code [repo]} in pacman.conf)
   * @param server its {@code Server} URL
   * @param sigLevel the {@code SigLevel} line's value
   * @param gpgDir pacman's keyring, or null
   */
  PacmanHttpClient(Path dir, String repo, String server, String sigLevel, Path gpgDir)
      throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/pacman")), "skipped: pacman is not installed");
    this.dir = dir;
    for (String d : List.of("db", "cache", "root")) {
      Files.createDirectories(dir.resolve(d));
    }
    Path conf = dir.resolve("pacman.conf");
    Files.writeString(conf, String.join("\n",
        "[options]",
        "Architecture = x86_64",
        "SigLevel = " + sigLevel,
        "DBPath = " + dir.resolve("db") + "/",
        "CacheDir = " + dir.resolve("cache") + "/",
        "LogFile = " + dir.resolve("pacman.log"),
        "GPGDir = " + (gpgDir != null ? gpgDir : dir.resolve("gnupg")) + "/",
        "[" + repo + "]",
        "Server = " + server,
        ""));
    base = List.of("pacman", "--noconfirm", "--config", conf.toString(), "--root",
        dir.resolve("root").toString());
  }

  /** The root packages are installed into. */
  Path root() {
    return dir.resolve("root");
  }

  /** Runs pacman with these arguments; fails the test unless it exits 0; returns its output. */
  String ok(String... args) throws IOException, InterruptedException {
    return run(args).assertOk("pacman " + String.join(" ", args)).output();
  }

  Tools.Result run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(base);
    command.addAll(List.of(args));
    return Tools.run(dir, command);
  }
}

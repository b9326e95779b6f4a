package io.s3repofs.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Hands AUR package names to aurutils, pointed at the mounted root: {@code aur sync} (aurutils
 * 2 and later) or {@code aursync} (aurutils 1.x), with the database name, the root and a
 * temporary pacman.conf whose {@code [NAME]} section has {@code Server = file://ROOT} (the
 * system's /etc/pacman.conf is never edited). {@code -u} is passed through.
 */
final class Aurutils {

  private final List<String> command;

  private Aurutils(List<String> command) {
    this.command = command;
  }

  /** The installed aurutils; a one-line error saying how to get it when there is none. */
  static Aurutils find(List<String> names) {
    if (Processes.onPath("aur").isPresent()) {
      return new Aurutils(List.of("aur", "sync"));
    }
    if (Processes.onPath("aursync").isPresent()) {
      return new Aurutils(List.of("aursync"));
    }
    throw new SyncException((names.isEmpty() ? "-u without TARGETs upgrades AUR packages"
        : "AUR package " + String.join(", ", names)) + ": aurutils is not installed"
        + " (on Arch: build it from https://aur.archlinux.org/packages/aurutils; not packaged for"
        + " Debian), or give a PKGBUILD directory or a package file instead");
  }

  /** Runs aurutils on the root; throws {@link SyncException} when it fails. */
  void sync(String repo, Path root, List<String> names, boolean upgrades, Path work)
      throws IOException, InterruptedException {
    Path conf = work.resolve("pacman.conf");
    Files.writeString(conf, "[options]\nArchitecture = auto\n\n[" + repo + "]\nSigLevel = Optional TrustAll\nServer = file://" + root + "\n");
    List<String> cmd = new ArrayList<>(command);
    cmd.addAll(List.of("--database", repo, "--root", root.toString(), "--noconfirm", "--noview"));
    if (command.size() == 2) {
      cmd.addAll(List.of("--pacman-conf", conf.toString()));
    }
    if (upgrades) {
      cmd.add("-u");
    }
    cmd.addAll(names);
    Path log = work.resolve("aurutils.log");
    int exit = Processes.run(cmd, root, Map.of("AUR_REPO", repo, "AUR_DBROOT", root.toString(),
        "PACMAN_CONF", conf.toString(), "AUR_PACMAN_CONF", conf.toString()), log);
    if (exit != 0) {
      throw new SyncException(String.join(" ", command) + " failed (exit " + exit + "): "
          + Processes.lastLine(log) + " (log: " + log + ")");
    }
  }
}

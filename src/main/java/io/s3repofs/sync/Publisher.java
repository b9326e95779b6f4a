package io.s3repofs.sync;

import io.s3repofs.pacman.AddOptions;
import io.s3repofs.pacman.LocalRepository;
import io.s3repofs.pacman.PackageReader;
import io.s3repofs.pacman.RepoListener;
import io.s3repofs.pacman.RepoLocation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Updates the repository database on the mount once the new package files are in its directory:
 * the native {@code repo add -R} code (default), Debian's/Arch's {@code repo-add -R}, or
 * {@code repose -r ROOT NAME}.
 */
public interface Publisher {

  /** The tools {@code --tool} accepts. */
  enum Tool {
    NATIVE("native"), REPO_ADD("repo-add"), REPOSE("repose");

    final String label;

    Tool(String label) {
      this.label = label;
    }

    public static Tool of(String name) {
      for (Tool t : values()) {
        if (t.label.equals(name)) {
          return t;
        }
      }
      throw new SyncException("unknown --tool '" + name + "' (native, repo-add or repose)");
    }

    @Override
    public String toString() {
      return label;
    }
  }

  /** Adds {@code packages} (already in the database's directory) to {@code db}. */
  void publish(RepoLocation db, List<Path> packages, Path work) throws IOException, InterruptedException;

  /** The publisher for a tool; a missing external tool is a one-line error naming it. */
  static Publisher of(Tool tool, RepoListener listener) {
    return switch (tool) {
      case NATIVE -> (db, packages, work) ->
          new LocalRepository(db, new PackageReader(), listener)
              .add(packages, AddOptions.DEFAULTS.withRemoveOld(true));
      case REPO_ADD -> {
        require("repo-add", "Debian: apt-get install pacman-package-manager; Arch: pacman -S pacman");
        yield (db, packages, work) -> {
          List<String> cmd = new ArrayList<>(List.of("repo-add", "-q", "-R", db.dbFile().toString()));
          packages.forEach(p -> cmd.add(p.toString()));
          runTool(cmd, db.directory(), work, "repo-add");
        };
      }
      case REPOSE -> {
        require("repose", "Arch: pacman -S repose; it is not packaged for Debian");
        yield (db, packages, work) -> runTool(List.of("repose", "-r", db.directory().toString(),
            db.name()), db.directory(), work, "repose");
      }
    };
  }

  private static void require(String program, String howToGet) {
    if (Processes.onPath(program).isEmpty()) {
      throw new SyncException("--tool " + program + ": " + program + " is not installed (" + howToGet + ")");
    }
  }

  private static void runTool(List<String> cmd, Path dir, Path work, String name)
      throws IOException, InterruptedException {
    Path log = work.resolve(name + ".log");
    int exit = Processes.run(cmd, dir, Map.of(), log);
    if (exit != 0) {
      throw new SyncException(name + " failed (exit " + exit + "): " + Processes.lastLine(log)
          + " (log: " + log + ")");
    }
  }
}

package io.s3repofs.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds PKGBUILD directories with makepkg. makepkg refuses to run as root, so when we are root
 * it runs as an unprivileged user: {@code $S3REPOFS_BUILD_USER}, else {@code $SUDO_USER}, else
 * {@code pkgbuilder} (created with useradd if missing, as scripts/make-test-packages.sh does).
 * Each directory is copied into a work area the builder owns, so the user's directory is never
 * written and its owner does not matter. makepkg runs with {@code -d} (Arch dependencies are not
 * installed on Debian; install them first on Arch).
 */
public final class Makepkg {

  private final Path work;
  private final String builder;
  private int builds;

  /** A builder whose copies, logs and packages go under {@code work}. */
  public Makepkg(Path work) throws IOException, InterruptedException {
    if (Processes.onPath("makepkg").isEmpty()) {
      throw new SyncException("makepkg is not installed (Debian: apt-get install makepkg"
          + " libarchive-tools; Arch: pacman -S base-devel)");
    }
    this.work = Files.createDirectories(work);
    this.builder = isRoot() ? builderUser() : null;
    if (builder != null) {
      Files.createDirectories(Path.of("/var/lib/pacman")); // makepkg checks that it exists
      chown(work);
    }
  }

  /** The unprivileged user makepkg runs as, or null when it runs as us. */
  public String builder() {
    return builder;
  }

  /** A directory copied into the work area, ready for makepkg. */
  public record Prepared(Path source, Path copy, Path log, SrcInfo srcinfo) {}

  /** Copies {@code dir} into the work area and reads its .SRCINFO. */
  public Prepared prepare(Path dir) throws IOException, InterruptedException {
    int n = ++builds;
    Path copy = work.resolve("build-" + n + "-" + dir.getFileName());
    copyTree(dir, copy);
    if (builder != null) {
      chown(copy);
    }
    Path log = work.resolve("makepkg-" + n + "-" + dir.getFileName() + ".log");
    Files.createFile(log);
    if (builder != null) {
      chown(log);
    }
    Processes.Result r = Processes.capture(command("makepkg", "--printsrcinfo"), copy, env(copy), log);
    if (r.exitCode() != 0) {
      throw new SyncException("makepkg --printsrcinfo failed for " + dir + ": "
          + Processes.lastLine(log) + " (log: " + log + ")");
    }
    return new Prepared(dir, copy, log, SrcInfo.parse(r.output(), dir.toString()));
  }

  /** Builds a prepared directory; returns the package files (and their .sig) it made. */
  public List<Path> build(Prepared p) throws IOException, InterruptedException {
    Path out = p.copy().resolve(".s3repofs-out");
    Files.createDirectories(out);
    if (builder != null) {
      chown(out);
    }
    Map<String, String> env = new java.util.HashMap<>(env(p.copy()));
    env.put("PKGDEST", out.toString());
    int exit = Processes.run(command("makepkg", "-d", "-f", "--noconfirm", "--noprogressbar"),
        p.copy(), env, p.log());
    if (exit != 0) {
      throw new SyncException("makepkg failed for " + p.source() + " (exit " + exit + "): "
          + Processes.lastLine(p.log()) + " (log: " + p.log() + "); nothing was published");
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(out)) {
      files = s.filter(f -> Targets.PACKAGE_FILE.matcher(f.getFileName().toString()).matches()
          || f.getFileName().toString().endsWith(".sig")).sorted().toList();
    }
    if (files.stream().noneMatch(f -> !f.toString().endsWith(".sig"))) {
      throw new SyncException("makepkg built no package for " + p.source() + " (log: " + p.log() + ")");
    }
    return files;
  }

  private List<String> command(String... args) {
    List<String> cmd = new ArrayList<>();
    if (builder != null) {
      cmd.addAll(List.of("runuser", "-u", builder, "--"));
    }
    cmd.addAll(List.of(args));
    return cmd;
  }

  private Map<String, String> env(Path dir) {
    // HOME inside the work area: the builder's own home may not exist or be readable.
    return Map.of("HOME", work.toString(), "LC_ALL", "C", "BUILDDIR", dir.resolve(".s3repofs-build").toString());
  }

  private static boolean isRoot() {
    return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
  }

  private static String builderUser() throws IOException, InterruptedException {
    String user = System.getenv("S3REPOFS_BUILD_USER");
    if (user == null || user.isBlank()) {
      String sudo = System.getenv("SUDO_USER");
      user = sudo != null && !sudo.isBlank() && !sudo.equals("root") ? sudo : "pkgbuilder";
    }
    if (new ProcessBuilder("id", "-u", user).start().waitFor() != 0) {
      if (new ProcessBuilder("useradd", "-m", user).start().waitFor() != 0
          && new ProcessBuilder("id", "-u", user).start().waitFor() != 0) {
        throw new SyncException("makepkg refuses to run as root and the user '" + user
            + "' to build as could not be created (set S3REPOFS_BUILD_USER to an existing user)");
      }
    }
    return user;
  }

  private void chown(Path path) throws IOException, InterruptedException {
    if (new ProcessBuilder("chown", "-R", builder, path.toString()).start().waitFor() != 0) {
      throw new SyncException("cannot hand " + path + " to the build user " + builder);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path src : (Iterable<Path>) s::iterator) {
        Path rel = from.relativize(src);
        String first = rel.getNameCount() > 0 ? rel.getName(0).toString() : "";
        if (first.equals("src") || first.equals("pkg") || first.equals(".git")) {
          continue; // makepkg's own leftovers and VCS data are not inputs
        }
        Path dst = to.resolve(rel.toString());
        if (Files.isDirectory(src, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectories(dst);
        } else if (!Targets.PACKAGE_FILE.matcher(src.getFileName().toString()).matches()) {
          Files.copy(src, dst, StandardCopyOption.COPY_ATTRIBUTES, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
      }
    }
  }
}

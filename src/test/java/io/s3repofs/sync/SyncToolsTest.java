package io.s3repofs.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.cli.Main;
import io.s3repofs.pacman.DatabaseReader;
import io.s3repofs.pacman.RepoDatabase;
import io.s3repofs.pacman.RepoEntry;
import io.s3repofs.testing.PackageFixtures;
import io.s3repofs.testing.Shell;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --tool repo-add} (Debian's real repo-add, run on the mount) against the native add, and
 * {@code --tool repose} and AUR names against stand-ins for repose and aurutils.
 *
 * <p>Why stand-ins: repose and aurutils are not packaged for Debian and cannot be installed on
 * this machine (no network but loopback). The stand-ins are small scripts, put first on PATH of
 * a child s3repofs process, that check what s3repofs hands the real tools (arguments, the
 * temporary pacman.conf with {@code Server = file://ROOT}, that ROOT is the FUSE mount) and then
 * do to the root what the real tools do: repose writes the database of every package in the
 * root; {@code aur sync} puts the built package into the root and runs repo-add there.
 */
class SyncToolsTest {

  @TempDir
  Path tmp;

  private static Map<String, Map<String, List<String>>> entries(byte[] db) throws Exception {
    RepoDatabase parsed = DatabaseReader.read(db, "e2e.db.tar.gz");
    Map<String, Map<String, List<String>>> out = new TreeMap<>();
    for (RepoEntry e : parsed.entries()) {
      out.put(e.name(), new TreeMap<>(e.fields()));
    }
    return out;
  }

  @Test
  void repoAddOnTheMountWritesTheSameEntriesAsTheNativeAdd() throws Exception {
    List<Path> pkgs = PackageFixtures.build(21, 4).subList(0, 4);
    SyncFixtures nativeAdd = new SyncFixtures(tmp.resolve("native"));
    SyncFixtures repoAdd = new SyncFixtures(tmp.resolve("repo-add"));
    String[] files = pkgs.stream().map(Path::toString).toArray(String[]::new);
    SyncFixtures.Run a = nativeAdd.sync(files);
    List<String> args = new ArrayList<>(List.of("--tool", "repo-add"));
    args.addAll(List.of(files));
    SyncFixtures.Run b = repoAdd.sync(args.toArray(String[]::new));
    assertEquals(0, a.exit(), a.toString());
    assertEquals(0, b.exit(), b.toString());
    var mine = entries(nativeAdd.object("repo/x86_64/e2e.db.tar.gz"));
    var theirs = entries(repoAdd.object("repo/x86_64/e2e.db.tar.gz"));
    assertEquals(4, mine.size(), mine.keySet().toString());
    assertEquals(theirs, mine);
    assertTrue(b.out().contains("packages: 4 added"), b.out());
    // pacman downloads NAME.db: repo-add made it a symlink, the bucket holds the database itself
    assertEquals(theirs, entries(repoAdd.object("repo/x86_64/e2e.db")));
  }

  private Path standIn(Path bin, String name, String script) throws Exception {
    Files.createDirectories(bin);
    Path file = bin.resolve(name);
    Files.writeString(file, script);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  private static final String CHECK_MOUNT = """
      [[ $(findmnt -n -o FSTYPE -T "$root") == fuse.s3repofs ]] || { echo "stand-in: $root is not on the s3repofs mount" >&2; exit 65; }
      """;

  /** s3repofs in a child JVM whose PATH starts with the stand-ins. */
  private Shell.Result childSync(Path bin, Map<String, String> env, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Shell.Result(p.waitFor(), out);
  }

  @Test
  void reposeAndAurutilsRunAgainstTheMountedRoot() throws Exception {
    List<Path> pkgs = PackageFixtures.build(21, 4);
    SyncFixtures f = new SyncFixtures(tmp);
    Path bin = tmp.resolve("bin");
    Path calls = tmp.resolve("calls.log");
    standIn(bin, "repose", "#!/bin/bash\nset -euo pipefail\n"
        + "echo \"repose $*\" >> " + calls + "\n"
        + "[[ $# -eq 3 && $1 == -r && -d $2 ]] || { echo \"repose stand-in: expected -r ROOT NAME, got: $*\" >&2; exit 64; }\n"
        + "root=$2 name=$3\n" + CHECK_MOUNT
        + "cd \"$root\"; shopt -s nullglob; pkgs=(*.pkg.tar.zst *.pkg.tar.xz *.pkg.tar.gz)\n"
        + "repo-add -q \"$name.db.tar.gz\" \"${pkgs[@]}\"\n");
    standIn(bin, "aur", "#!/bin/bash\nset -euo pipefail\n"
        + "echo \"aur $*\" >> " + calls + "\n"
        + "[[ $1 == sync ]] || exit 64; shift\n"
        + "names=() upgrades=0\n"
        + "while [[ $# -gt 0 ]]; do case $1 in\n"
        + "  --database) db=$2; shift 2 ;; --root) root=$2; shift 2 ;; --pacman-conf) conf=$2; shift 2 ;;\n"
        + "  --noconfirm|--noview) shift ;; -u) upgrades=1; shift ;; -*) echo \"aur stand-in: unknown $1\" >&2; exit 64 ;;\n"
        + "  *) names+=(\"$1\"); shift ;; esac; done\n"
        + CHECK_MOUNT
        + "grep -qx \"\\[$db\\]\" \"$conf\" && grep -qx \"Server = file://$root\" \"$conf\" || { echo 'aur stand-in: pacman.conf lacks the section' >&2; exit 66; }\n"
        + "cd \"$root\"\n"
        + "for n in \"${names[@]}\"; do cp \"$STANDIN_PACKAGES\"/\"$n\"-[0-9]*.pkg.tar.* .; repo-add -q -R \"$db.db.tar.gz\" \"$n\"-[0-9]*.pkg.tar.*; done\n");
    List<String> base = List.of("sync", f.bucket, "--repo", "e2e", "--root", "repo/x86_64", "-o", f.options);

    List<String> repose = new ArrayList<>(base);
    repose.addAll(List.of("--tool", "repose", pkgs.get(0).toString(), pkgs.get(1).toString()));
    Shell.Result r = childSync(bin, Map.of(), repose);
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("packages: 2 added"), r.output());

    List<String> aur = new ArrayList<>(base);
    aur.addAll(List.of("-u", "iota"));
    Shell.Result a = childSync(bin, Map.of("STANDIN_PACKAGES", pkgs.get(0).getParent().toString()), aur);
    assertEquals(0, a.exitCode(), a.output());

    String log = Files.readString(calls);
    assertTrue(log.contains("repose -r "), log);
    assertTrue(log.lines().anyMatch(l -> l.startsWith("aur sync --database e2e --root ") && l.endsWith(" -u iota")), log);
    var names = entries(f.object("repo/x86_64/e2e.db.tar.gz")).keySet();
    assertEquals(List.of("alpha", "beta-tools", "iota"), List.copyOf(names));
    assertTrue(f.keys().keySet().stream().anyMatch(k -> k.startsWith("repo/x86_64/iota-")), f.keys().toString());
  }
}

package io.s3repofs.pacman;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's real pacman, as a client, syncs a repository written by s3repofs (over file://, the
 * same code path as HTTP after the download), lists it, reads the files database, and downloads
 * a package checking its size and checksums against the database.
 */
class PacmanClientTest {
  @TempDir
  Path tmp;

  @Test
  void pacmanSyncsListsAndDownloadsFromOurRepository() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/pacman")), "skipped: pacman is not installed");
    List<TestPackages.Pkg> all = TestPackages.all();
    Path repo = tmp.resolve("repo");
    List<Path> files = TestPackages.copy(all, repo);
    new LocalRepository(RepoLocation.of(repo.resolve("s3t.db.tar.zst")), RepoListener.SILENT)
        .add(files, AddOptions.DEFAULTS);
    // pacman only ever sees what a bucket would serve: no symlinks, so give it copies
    for (String link : List.of("s3t.db", "s3t.files")) {
      Path target = repo.resolve(Files.readSymbolicLink(repo.resolve(link)));
      Files.delete(repo.resolve(link));
      Files.copy(target, repo.resolve(link));
    }
    Path conf = tmp.resolve("pacman.conf");
    Files.createDirectories(tmp.resolve("db"));
    Files.createDirectories(tmp.resolve("cache"));
    Files.createDirectories(tmp.resolve("root"));
    Files.writeString(conf, String.join("\n",
        "[options]",
        "Architecture = x86_64",
        "SigLevel = Never",
        "DBPath = " + tmp.resolve("db") + "/",
        "CacheDir = " + tmp.resolve("cache") + "/",
        "LogFile = " + tmp.resolve("pacman.log"),
        "GPGDir = " + tmp.resolve("gnupg") + "/",
        "[s3t]",
        "Server = file://" + repo,
        ""));
    List<String> base = List.of("pacman", "--noconfirm", "--config", conf.toString(), "--root", tmp.resolve("root").toString());

    Tools.run(tmp, with(base, "-Sy")).assertOk("pacman -Sy");
    String listed = Tools.run(tmp, with(base, "-Sl", "s3t")).assertOk("pacman -Sl").output();
    RepoDatabase db = DatabaseReader.read(repo.resolve("s3t.db.tar.zst"));
    List<String> expected = db.entries().stream().map(e -> "s3t " + e.name() + " " + e.version()).sorted().toList();
    assertEquals(expected, listed.lines().sorted().toList());
    assertEquals(18, expected.size());

    Tools.run(tmp, with(base, "-Fy")).assertOk("pacman -Fy");
    RepoEntry nu = db.get("nu").orElseThrow();
    String fl = Tools.run(tmp, with(base, "-Fl", "nu")).assertOk("pacman -Fl").output();
    List<String> pkgFiles = new PackageReader().read(repo.resolve(nu.fileName())).files();
    assertEquals(pkgFiles.stream().map(f -> "nu " + f).toList(), fl.lines().toList());

    // -Sw (-dd: Arch dependencies are absent here) downloads and verifies size and checksums against the database
    Tools.run(tmp, with(base, "-Swdd", "nu", "sigma", "iota")).assertOk("pacman -Sw");
    assertTrue(Files.exists(tmp.resolve("cache").resolve(nu.fileName())));
    String info = Tools.run(tmp, with(base, "-Si", "sigma")).assertOk("pacman -Si").output();
    assertTrue(info.contains("Version         : 7-2"), info);
    assertTrue(info.contains("Validated By    : MD5 Sum  SHA-256 Sum"), info);

    // and pacman does check them: a package changed after the add is refused
    RepoEntry iota = db.get("iota").orElseThrow();
    Files.delete(tmp.resolve("cache").resolve(iota.fileName()));
    byte[] bytes = Files.readAllBytes(repo.resolve(iota.fileName()));
    bytes[bytes.length / 2] ^= 0x55;
    Files.write(repo.resolve(iota.fileName()), bytes);
    Tools.Result refused = Tools.run(tmp, with(base, "-Swdd", "iota"));
    assertEquals(1, refused.exitCode(), refused.output());
    assertTrue(refused.output().contains("invalid or corrupted package"), refused.output());
  }

  private static List<String> with(List<String> base, String... more) {
    List<String> out = new ArrayList<>(base);
    out.addAll(List.of(more));
    return out;
  }
}

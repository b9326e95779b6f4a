package io.s3repofs.pacman;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.store.ObjectStore;
import io.s3repofs.testing.PackageFixtures;
import io.s3repofs.testing.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --sign} and {@code --verify} with a throwaway gpg key: Debian's pacman with
 * {@code SigLevel = Required} and the key locally signed in its own keyring syncs the signed
 * database from the bucket and installs signed packages; a bad database signature is refused.
 */
class SigningTest {
  @TempDir
  Path tmp;

  private Path gnupg;
  private Path gpg;
  private String fingerprint;

  @BeforeEach
  void throwawayKey() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/gpg")), "skipped: gpg is not installed");
    gnupg = Files.createDirectories(tmp.resolve("gnupg"));
    Files.setPosixFilePermissions(gnupg, PosixFilePermissions.fromString("rwx------"));
    gpg = tmp.resolve("gpg");
    Files.writeString(gpg, "#!/bin/sh\nexec env GNUPGHOME='" + gnupg + "' gpg \"$@\"\n");
    Files.setPosixFilePermissions(gpg, PosixFilePermissions.fromString("rwx------"));
    Tools.run(tmp, gpg.toString(), "--batch", "--passphrase", "", "--quick-gen-key",
        "s3repofs test <test@s3repofs.invalid>", "ed25519", "sign", "never").assertOk("gpg --quick-gen-key");
    String colons = Tools.run(tmp, gpg.toString(), "--list-keys", "--with-colons").assertOk("gpg --list-keys").output();
    fingerprint = colons.lines().filter(l -> l.startsWith("fpr:")).findFirst().orElseThrow().split(":")[9];
  }

  @AfterEach
  void stopAgents() throws Exception {
    for (Path home : List.of(gnupg, tmp.resolve("pacman-keyring"))) {
      if (home != null && Files.isDirectory(home)) {
        Tools.run(tmp, "gpgconf", "--homedir", home.toString(), "--kill", "all");
      }
    }
  }

  private List<Path> signedPackages(int count) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("pkgs"));
    List<Path> out = new ArrayList<>();
    for (Path p : PackageFixtures.build(BucketRepositoryTest.COUNT, 0).subList(0, count)) {
      Path copy = Files.copy(p, dir.resolve(p.getFileName()));
      Tools.run(dir, gpg.toString(), "--batch", "--detach-sign", "--no-armor", "-u", fingerprint,
          copy.toString()).assertOk("gpg --detach-sign");
      out.add(copy);
    }
    return out;
  }

  @Test
  void pacmanWithSigLevelRequiredSyncsAndInstallsFromTheSignedBucketRepository() throws Exception {
    List<Path> pkgs = signedPackages(4);
    String bucket = S3TestServer.newBucket();
    Gpg signer = new Gpg(gpg.toString(), fingerprint);
    try (ObjectStore store = new ObjectStore(S3TestServer.settings(bucket, "x86_64/", "public-read"))) {
      BucketRepository repo = new BucketRepository(store,
          BucketLocation.parse("s3://" + bucket + "/x86_64/signed.db.tar.zst"), new PackageReader(),
          RepoListener.SILENT, signer, true);
      // --verify: a package whose .sig is not its own, or that has none, is refused by name
      Path unsigned = Files.copy(PackageFixtures.build(BucketRepositoryTest.COUNT, 0).get(10),
          tmp.resolve("pkgs").resolve(PackageFixtures.build(BucketRepositoryTest.COUNT, 0).get(10).getFileName()));
      RepoException none = assertThrows(RepoException.class,
          () -> repo.add(List.of(unsigned), AddOptions.DEFAULTS.withVerifySignatures(true)));
      assertTrue(none.getMessage().contains(unsigned.getFileName() + ": no signature"), none.getMessage());
      Files.copy(pkgs.get(0).resolveSibling(pkgs.get(0).getFileName() + ".sig"),
          unsigned.resolveSibling(unsigned.getFileName() + ".sig"));
      RepoException bad = assertThrows(RepoException.class,
          () -> repo.add(List.of(unsigned), AddOptions.DEFAULTS.withVerifySignatures(true)));
      assertTrue(bad.getMessage().contains(unsigned.getFileName() + ": signature check failed: BAD signature"), bad.getMessage());

      repo.add(pkgs, AddOptions.DEFAULTS.withVerifySignatures(true).withIncludeSigs(true));
      for (String key : List.of("signed.db.tar.zst.sig", "signed.db.sig", "signed.files.tar.zst.sig", "signed.files.sig")) {
        assertEquals(200, S3TestServer.anonymousGet(bucket, "x86_64/" + key).statusCode(), key);
      }

      // pacman's own keyring, trusting the throwaway key
      Path keyring = Files.createDirectories(tmp.resolve("pacman-keyring"));
      Path pub = tmp.resolve("pub.gpg");
      Tools.run(tmp, gpg.toString(), "--batch", "--yes", "--output", pub.toString(), "--export", fingerprint).assertOk("gpg --export");
      Tools.run(tmp, "pacman-key", "--gpgdir", keyring.toString(), "--init").assertOk("pacman-key --init");
      Tools.run(tmp, "pacman-key", "--gpgdir", keyring.toString(), "--add", pub.toString()).assertOk("pacman-key --add");
      Tools.run(tmp, "pacman-key", "--gpgdir", keyring.toString(), "--lsign-key", fingerprint).assertOk("pacman-key --lsign-key");

      String server = S3TestServer.get().endpoint() + "/" + bucket + "/x86_64";
      PacmanHttpClient pacman = new PacmanHttpClient(tmp.resolve("client"), "signed", server, "Required", keyring);
      pacman.ok("-Sy");
      String name = new PackageReader().read(pkgs.get(1)).info().name();
      pacman.ok("-S", "-dd", name);
      assertTrue(pacman.ok("-Q").contains(name + " "));
      pacman.ok("-Fy");

      // a database signature that does not match is refused
      store.putBytes("signed.db.sig", Files.readAllBytes(pkgs.get(0).resolveSibling(pkgs.get(0).getFileName() + ".sig")), Map.of());
      Tools.Result refused = pacman.run("-Syy");
      assertTrue(refused.exitCode() != 0, refused.output());
      assertTrue(refused.output().contains("signature"), refused.output());

      // an unsigned write deletes the database signatures it would leave stale
      new BucketRepository(store, BucketLocation.parse("s3://" + bucket + "/x86_64/signed.db.tar.zst"),
          new PackageReader(), RepoListener.SILENT, null, true).add(List.of(unsigned), AddOptions.DEFAULTS);
      for (String key : List.of("signed.db.tar.zst.sig", "signed.db.sig", "signed.files.tar.zst.sig", "signed.files.sig")) {
        assertEquals(404, S3TestServer.anonymousGet(bucket, "x86_64/" + key).statusCode(), key);
      }
    }
  }

  @Test
  void signingALocalRepositoryLikeRepoAdd() throws Exception {
    List<Path> pkgs = signedPackages(2);
    Path db = pkgs.get(0).resolveSibling("local.db.tar.gz");
    Gpg signer = new Gpg(gpg.toString(), fingerprint);
    new LocalRepository(RepoLocation.of(db), new PackageReader(), RepoListener.SILENT, signer)
        .add(pkgs, AddOptions.DEFAULTS.withVerifySignatures(true));
    Path dir = db.getParent();
    for (String f : List.of("local.db.tar.gz", "local.files.tar.gz")) {
      Tools.run(dir, gpg.toString(), "--verify", f + ".sig", f).assertOk("gpg --verify " + f);
    }
    assertTrue(Files.isSymbolicLink(dir.resolve("local.db.sig")));
    assertEquals("local.db.tar.gz.sig", Files.readSymbolicLink(dir.resolve("local.db.sig")).toString());
    // a second add re-signs: the signature always matches the database
    new LocalRepository(RepoLocation.of(db), new PackageReader(), RepoListener.SILENT, signer)
        .remove(List.of(new PackageReader().read(pkgs.get(0)).info().name()), java.time.Duration.ZERO);
    Tools.run(dir, gpg.toString(), "--verify", "local.db.tar.gz.sig", "local.db.tar.gz").assertOk("gpg --verify after remove");
  }
}

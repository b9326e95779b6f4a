package io.s3repofs.cli.repo;

import io.s3repofs.pacman.Gpg;
import picocli.CommandLine.Option;

/** repo-add's {@code --sign} and {@code --key}: sign the databases with the user's gpg. */
final class SignOptions {
  @Option(names = {"-s", "--sign"},
      description = "sign the databases with gpg (NAME.db.tar.EXT.sig and NAME.db.sig, likewise"
          + " for the files database), as repo-add --sign does, for pacman's SigLevel = Required")
  boolean sign;

  @Option(names = {"-k", "--key"}, paramLabel = "KEY",
      description = "the gpg key to sign with (default: gpg's default key)")
  String key;

  /** The signer, or null when not signing. */
  Gpg signer() {
    return sign ? new Gpg(key) : null;
  }
}

package io.s3repofs.pacman;

import io.s3repofs.store.ObjectHead;
import io.s3repofs.store.ObjectStore;
import io.s3repofs.store.StoredObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Signs a database object with gpg and uploads {@code KEY.sig}. Another add may commit a newer
 * database between this one's commit and its signature upload, and the later upload wins; so
 * after uploading, the signer checks that the object is still the one it signed, and if not,
 * signs the current one: the last signer to finish always leaves a signature that matches.
 */
final class BucketSigner {
  private static final int MAX_ROUNDS = 5;

  private final ObjectStore store;
  private final Gpg gpg;
  private final RepoListener listener;
  private final ObjectMetadata metadata;

  BucketSigner(ObjectStore store, Gpg gpg, RepoListener listener, ObjectMetadata metadata) {
    this.store = store;
    this.gpg = gpg;
    this.listener = listener;
    this.metadata = metadata;
  }

  /** Signs {@code bytes}, the content of {@code key} with entity tag {@code etag}. */
  void sign(String key, byte[] bytes, String etag) throws IOException {
    Path dir = Files.createTempDirectory("s3repofs-sign");
    Path file = dir.resolve(key);
    Path sig = dir.resolve(key + ".sig");
    try {
      for (int round = 1; round <= MAX_ROUNDS; round++) {
        listener.info("Signing database '" + key + "'");
        Files.write(file, bytes);
        gpg.sign(file, sig);
        store.putBytes(key + ".sig", Files.readAllBytes(sig), metadata.now());
        Optional<ObjectHead> now = store.head(key);
        if (now.isEmpty() || etag == null || etag.equals(now.get().etag())) {
          return;
        }
        Optional<StoredObject> current = store.get(key);
        if (current.isEmpty()) {
          return;
        }
        bytes = current.get().bytes();
        etag = current.get().etag();
      }
      listener.warn(key + " kept changing while it was signed; check " + key + ".sig");
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(sig);
      Files.deleteIfExists(dir);
    }
  }
}

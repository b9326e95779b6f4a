package io.s3repofs.cli.repo;

import io.s3repofs.cli.StoreOptions;
import io.s3repofs.cli.UsageException;
import io.s3repofs.pacman.BucketLocation;
import io.s3repofs.pacman.Gpg;
import io.s3repofs.pacman.LocalRepository;
import io.s3repofs.pacman.PackageReader;
import io.s3repofs.pacman.BucketRepository;
import io.s3repofs.pacman.RepoException;
import io.s3repofs.pacman.RepoListener;
import io.s3repofs.pacman.RepoLocation;
import io.s3repofs.pacman.Repository;
import io.s3repofs.pacman.Retention;
import io.s3repofs.store.ObjectStore;
import java.nio.file.Path;

/**
 * Opens the repository a DB argument names: a path (a directory, a mount) or
 * {@code s3://BUCKET/[PREFIX/]NAME.db.tar.EXT} (the bucket, through the store layer).
 */
final class Repositories {
  private Repositories() {}

  /** An open repository; closing it releases the bucket connection, if any. */
  record Opened(Repository repository, ObjectStore store) implements AutoCloseable {
    @Override
    public void close() {
      if (store != null) {
        store.close();
      }
    }
  }

  static Opened open(String db, DatabaseOptions bucket, String command, RepoListener listener,
      Gpg signer, Retention retention) throws RepoException {
    if (!BucketLocation.isBucketUrl(db)) {
      if (!bucket.options.isEmpty()) {
        throw new UsageException("-o applies only to s3://BUCKET/... databases, not to " + db);
      }
      return new Opened(new LocalRepository(RepoLocation.of(Path.of(db)), new PackageReader(),
          listener, signer, retention), null);
    }
    BucketLocation location = BucketLocation.parse(db);
    ObjectStore store = new ObjectStore(StoreOptions.parse(bucket.options, location.bucket(),
        location.prefix(), "repo " + command));
    try {
      store.prepareClient(); // for the repository's first LIST or GET, beside the bucket check
      store.checkAccess();
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    return new Opened(new BucketRepository(store, location, new PackageReader(), listener,
        signer, bucket.singleWriter, retention), store);
  }
}

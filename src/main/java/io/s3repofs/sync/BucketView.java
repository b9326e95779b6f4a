package io.s3repofs.sync;

import io.s3repofs.pacman.DatabaseReader;
import io.s3repofs.pacman.RepoDatabase;
import io.s3repofs.store.ListedObject;
import io.s3repofs.store.ObjectStore;
import io.s3repofs.store.StoreException;
import io.s3repofs.store.StoreSettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The repository as the bucket holds it before a sync, read without a mount: one LIST of the
 * root and one GET of {@code NAME.db.tar.EXT}. Enough to decide what is out of date (so a run
 * with nothing to do mounts nothing) and to refuse a root that holds another repository.
 */
record BucketView(RepoDatabase database, Map<String, Long> requests) {

  static BucketView read(StoreSettings settings, String root, String name) throws IOException {
    try (ObjectStore store = new ObjectStore(settings)) {
      String dir = root.isEmpty() ? "" : root + "/";
      List<ListedObject> objects;
      try {
        objects = store.list(dir).objects();
      } catch (StoreException e) {
        throw new SyncException(InProcessMount.describe(e, settings.bucket()));
      }
      String mine = null;
      List<String> others = new ArrayList<>();
      for (ListedObject o : objects) {
        String file = o.key().substring(o.key().lastIndexOf('/') + 1);
        int at = file.indexOf(".db.tar");
        if (at <= 0 || file.endsWith(".old") || file.endsWith(".sig") || file.endsWith(".lck")) {
          continue;
        }
        String dbName = file.substring(0, at);
        if (dbName.equals(name)) {
          mine = dir + file;
        } else if (!others.contains(dbName)) {
          others.add(dbName);
        }
      }
      if (mine == null && !others.isEmpty()) {
        throw new SyncException("the root holds the database '" + String.join("', '", others)
            + "', not '" + name + "' (use --repo " + others.get(0) + ", or another --root)");
      }
      RepoDatabase db = new RepoDatabase();
      if (mine != null) {
        String key = mine;
        byte[] bytes = store.get(key).orElseThrow(() -> new SyncException(key + " vanished while reading it"))
            .bytes();
        db = DatabaseReader.read(bytes, key);
      }
      return new BucketView(db, store.requests().snapshot());
    }
  }
}

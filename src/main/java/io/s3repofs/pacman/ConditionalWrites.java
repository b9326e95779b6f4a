package io.s3repofs.pacman;

import io.s3repofs.store.ObjectStore;
import io.s3repofs.store.StoreException;
import io.s3repofs.store.WriteCondition;
import java.util.Map;
import java.util.UUID;

/**
 * Finds out whether a server honours conditional writes ({@code If-None-Match: *} and
 * {@code If-Match} on PUT), on which {@link BucketRepository} relies so that concurrent adds
 * never lose an entry. AWS S3 (since 2024), MinIO and Cloudflare R2 honour them; S3Proxy and
 * older servers ignore them and overwrite. The probe writes a scratch object next to the
 * database three times and deletes it: four requests.
 */
public final class ConditionalWrites {
  private ConditionalWrites() {}

  /** Whether the server refuses writes whose condition does not hold. */
  public static boolean honoured(ObjectStore store, String nearKey) {
    String key = nearKey + ".probe-" + UUID.randomUUID();
    byte[] body = "s3repofs: conditional write probe; safe to delete\n".getBytes();
    try {
      try {
        store.putBytes(key, body, Map.of(), WriteCondition.ifAbsent());
      } catch (StoreException e) {
        if (e.kind() == StoreException.Kind.OTHER) {
          return false; // e.g. 501 Not Implemented for the header
        }
        throw e;
      }
      if (!refused(() -> store.putBytes(key, body, Map.of(), WriteCondition.ifAbsent()))) {
        return false;
      }
      return refused(() -> store.putBytes(key, body, Map.of(),
          WriteCondition.ifMatch("00000000000000000000000000000000")));
    } finally {
      store.delete(key);
    }
  }

  private static boolean refused(Runnable write) {
    try {
      write.run();
      return false;
    } catch (StoreException e) {
      if (e.kind() == StoreException.Kind.PRECONDITION_FAILED) {
        return true;
      }
      throw e;
    }
  }
}

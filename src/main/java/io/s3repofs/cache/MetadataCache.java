package io.s3repofs.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.s3repofs.store.ObjectHead;
import java.util.Optional;

/**
 * Attributes (HEAD results), negative lookups (a HEAD that found nothing) and directory listings,
 * each expiring after the stat-cache lifetime. The mount keeps entries current with its own
 * writes instead of dropping them, so its own work costs no extra requests.
 */
final class MetadataCache {

  /** key → HEAD result; an empty Optional is a cached "no such object". */
  final Cache<String, Optional<ObjectHead>> heads;
  /** directory key ("" or ending in '/') → its children. */
  final Cache<String, DirectoryListing> listings;

  MetadataCache(CacheSettings settings) {
    heads = Caffeine.newBuilder()
        .expireAfterWrite(settings.statCacheExpiry())
        .maximumSize(settings.statCacheSize())
        .build();
    listings = Caffeine.newBuilder()
        .expireAfterWrite(settings.statCacheExpiry())
        .maximumSize(Math.max(16, settings.statCacheSize() / 64))
        .build();
  }
}

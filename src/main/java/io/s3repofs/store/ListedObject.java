package io.s3repofs.store;

import java.time.Instant;

/**
 * One object in a listing.
 *
 * @param key the key relative to the store's prefix
 */
public record ListedObject(String key, long size, String etag, Instant lastModified) {}

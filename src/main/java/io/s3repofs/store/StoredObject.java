package io.s3repofs.store;

import java.util.Map;

/** A whole (small) object read with one GET: its bytes, entity tag and user metadata. */
public record StoredObject(byte[] bytes, String etag, Map<String, String> metadata) {}

package io.s3repofs.store;

import java.time.Instant;
import java.util.Map;

/** What a HEAD of one object returns: size, entity tag, last-modified time and user metadata. */
public record ObjectHead(long size, String etag, Instant lastModified, Map<String, String> metadata) {}

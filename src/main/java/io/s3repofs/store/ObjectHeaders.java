package io.s3repofs.store;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Puts a set of HTTP headers ({@link HeaderRules#HEADERS}) on an SDK request builder, and reads
 * them back from a HEAD. An object without a Content-Type gets {@code application/octet-stream}.
 */
final class ObjectHeaders {
  static final String DEFAULT_TYPE = "application/octet-stream";

  private ObjectHeaders() {}

  /** Sets the headers through the builder's setters (each may be null to skip it). */
  static void apply(Map<String, String> headers, Function<String, ?> cacheControl,
      Function<String, ?> contentType, Function<String, ?> contentDisposition,
      Function<String, ?> contentEncoding, Function<String, ?> contentLanguage) {
    contentType.apply(headers.getOrDefault("Content-Type", DEFAULT_TYPE));
    set(headers.get("Cache-Control"), cacheControl);
    set(headers.get("Content-Disposition"), contentDisposition);
    set(headers.get("Content-Encoding"), contentEncoding);
    set(headers.get("Content-Language"), contentLanguage);
  }

  private static void set(String value, Function<String, ?> setter) {
    if (value != null) {
      setter.apply(value);
    }
  }

  /** The headers an object carries, as a HEAD returned them. */
  static Map<String, String> of(HeadObjectResponse r) {
    Map<String, String> h = new TreeMap<>();
    put(h, "Cache-Control", r.cacheControl());
    put(h, "Content-Type", r.contentType());
    put(h, "Content-Disposition", r.contentDisposition());
    put(h, "Content-Encoding", r.contentEncoding());
    put(h, "Content-Language", r.contentLanguage());
    return h;
  }

  private static void put(Map<String, String> h, String name, String value) {
    if (value != null && !value.isEmpty()) {
      h.put(name, value);
    }
  }
}

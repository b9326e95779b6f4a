package io.s3repofs.store;

/**
 * The precondition of a conditional PUT: the object must not exist yet ({@code If-None-Match: *})
 * or must still have a given entity tag ({@code If-Match}). A server that honours it answers
 * 412 otherwise, reported as {@link StoreException.Kind#PRECONDITION_FAILED}.
 *
 * @param ifMatch the entity tag the object must have, or null for "must not exist"
 */
public record WriteCondition(String ifMatch) {

  /** {@code If-Match: "etag"}: the object still has this entity tag. */
  public static WriteCondition ifMatch(String etag) {
    return new WriteCondition(java.util.Objects.requireNonNull(etag, "etag"));
  }

  /** {@code If-None-Match: *}: the object does not exist. */
  public static WriteCondition ifAbsent() {
    return new WriteCondition(null);
  }

  /** Whether this is {@code If-None-Match: *}. */
  public boolean isIfAbsent() {
    return ifMatch == null;
  }

  /** The entity tag as a header value: quoted. */
  String quotedEtag() {
    return ifMatch.startsWith("\"") ? ifMatch : "\"" + ifMatch + "\"";
  }

  @Override
  public String toString() {
    return isIfAbsent() ? "If-None-Match: *" : "If-Match: " + quotedEtag();
  }
}

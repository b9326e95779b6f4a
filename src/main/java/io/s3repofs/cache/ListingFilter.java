package io.s3repofs.cache;

import io.s3repofs.store.DirectoryPage;
import io.s3repofs.store.ListedObject;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that decides which keys of a LIST page a directory shows. A bucket may hold
 * keys no file name can stand for: {@code a//b} (an empty name), {@code ./x}, {@code ../x},
 * {@code x/../y}, names over 255 bytes, names with control characters or invalid UTF-8 (which
 * arrives as U+FFFD). Those are skipped, with one warning per key in the log, so that a
 * listing never shows "." or "..", never leads outside the mount, and never fails. A key that is
 * both an object and a prefix ({@code a} and {@code a/b}) shows as the directory; a directory
 * marker ({@code d/}) with a body shows as the directory, its body ignored; each warned once.
 */
final class ListingFilter {

  private static final Logger LOG = LoggerFactory.getLogger(ListingFilter.class);
  private static final int MAX_NAME_BYTES = 255;
  /** Keys already warned about; bounded, so a bucket of millions of bad keys costs no memory. */
  private static final int MAX_REMEMBERED = 10_000;

  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  /** The listing of {@code dirKey} ("" or ending in '/') from one LIST of it. */
  DirectoryListing listing(String dirKey, DirectoryPage page) {
    DirectoryListing listing = new DirectoryListing(false);
    for (String sub : page.subdirectories()) {
      if (acceptable(dirKey, sub, sub + "/")) {
        listing.put(sub, RemoteEntry.directoryEntry());
      }
    }
    for (ListedObject o : page.objects()) {
      String name = o.key().substring(dirKey.length());
      if (name.isEmpty()) {
        listing.markerPresent(true);
        if (o.size() > 0) {
          warn(o.key(), "a directory marker with a body of " + o.size() + " bytes: shown as the directory,"
              + " the body is ignored");
        }
      } else if (acceptable(dirKey, name, name)) {
        if (listing.get(name) != null && listing.get(name).directory()) {
          warn(dirKey + name, "both an object and a prefix: shown as the directory, the object is hidden");
        }
        listing.put(name, RemoteEntry.file(o.size(), o.etag(), o.lastModified()));
      }
    }
    return listing;
  }

  private boolean acceptable(String dirKey, String name, String keySuffix) {
    String problem = problem(name);
    if (problem == null) {
      return true;
    }
    warn(dirKey + keySuffix, problem + ": skipped");
    return false;
  }

  /** Why a listed name cannot be a file name, or null when it can. */
  static String problem(String name) {
    if (name.isEmpty()) {
      return "an empty name (two '/' in a row)";
    }
    if (name.equals(".") || name.equals("..")) {
      return "a '" + name + "' component";
    }
    if (name.indexOf('/') >= 0) {
      return "a '/' in a name";
    }
    if (name.length() * 3 > MAX_NAME_BYTES && name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      return "a name over " + MAX_NAME_BYTES + " bytes";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return "a control character in a name";
      }
      if (c == '\uFFFD' || Character.isSurrogate(c) && !validSurrogatePair(name, i)) {
        return "invalid UTF-8 in a name";
      }
    }
    return null;
  }

  private static boolean validSurrogatePair(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }

  private void warn(String key, String what) {
    if (warned.size() < MAX_REMEMBERED ? warned.add(key) : !warned.contains(key) && warned.add(key)) {
      LOG.warn("bucket key '{}': {}", printable(key), what);
    }
  }

  /** The key with control characters and non-ASCII shown as escapes, safe for a log line. */
  static String printable(String key) {
    StringBuilder out = new StringBuilder();
    int shown = 0;
    for (int i = 0; i < key.length() && shown < 300; i++, shown++) {
      char c = key.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\\' || c == '\'') {
        out.append(String.format("\\x%02x", (int) c));
      } else if (c > 0x7e) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return key.length() > 300 ? out + "...(" + key.length() + " characters)" : out.toString();
  }
}

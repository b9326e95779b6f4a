package io.s3repofs.pacman;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/**
 * Package version comparison exactly as pacman's {@code alpm_pkg_vercmp} (libalpm
 * {@code version.c}, the code behind the {@code vercmp} tool): versions are
 * {@code [epoch:]version[-pkgrel]}; the epoch is compared first, then the version, then the
 * pkgrel if both have one. Each part is compared with rpm's segment algorithm: runs of
 * non-alphanumeric separators split alpha and numeric segments, numeric segments compare as
 * numbers (leading zeros ignored) and beat alpha segments, a longer separator run wins, and a
 * trailing alpha segment loses to nothing ({@code 1.0a < 1.0}, but {@code 1.0.1 > 1.0}).
 * Tildes are not special in pacman. Character classes are those of the C locale (ASCII).
 */
public final class Vercmp {
  /** Orders version strings oldest first. */
  public static final Comparator<String> ORDER = Vercmp::compare;

  private Vercmp() {}

  /**
     * Compares two full versions.
     *
     * @return a negative number if {@code a} is older than {@code b}, 0 if they are the same
     *     version, a positive number if {@code a} is newer; always -1, 0 or 1, like vercmp
     */
  public static int compare(String a, String b) {
    if (a == null && b == null) {
      return 0;
    } else if (a == null) {
      return -1;
    } else if (b == null) {
      return 1;
    }
    if (a.equals(b)) {
      return 0;
    }
    Evr x = Evr.parse(a.getBytes(StandardCharsets.UTF_8));
    Evr y = Evr.parse(b.getBytes(StandardCharsets.UTF_8));
    int ret = rpmvercmp(x.epoch, y.epoch);
    if (ret == 0) {
      ret = rpmvercmp(x.version, y.version);
      if (ret == 0 && x.release != null && y.release != null) {
        ret = rpmvercmp(x.release, y.release);
      }
    }
    return ret;
  }

  /** {@code [epoch:]version[-release]} split like libalpm's parseEVR. */
  private record Evr(byte[] epoch, byte[] version, byte[] release) {
    static Evr parse(byte[] evr) {
      int s = 0;
      while (s < evr.length && isDigit(evr[s])) {
        s++;
      }
      // the last '-' at or after the end of the leading digits ends the version
      int se = -1;
      for (int i = evr.length - 1; i >= s; i--) {
        if (evr[i] == '-') {
          se = i;
          break;
        }
      }
      int versionEnd = se >= 0 ? se : evr.length;
      byte[] epoch;
      byte[] version;
      if (s < evr.length && evr[s] == ':') {
        epoch = s == 0 ? new byte[] {'0'} : slice(evr, 0, s);
        version = slice(evr, s + 1, Math.max(s + 1, versionEnd));
      } else {
        epoch = new byte[] {'0'};
        version = slice(evr, 0, versionEnd);
      }
      byte[] release = se >= 0 ? slice(evr, se + 1, evr.length) : null;
      return new Evr(epoch, version, release);
    }
  }

  /** rpm's segment comparison, as in libalpm (returns -1, 0 or 1). */
  static int rpmvercmp(byte[] a, byte[] b) {
    if (java.util.Arrays.equals(a, b)) {
      return 0;
    }
    int one = 0;
    int two = 0;
    int ptr1 = 0;
    int ptr2 = 0;
    while (one < a.length && two < b.length) {
      while (one < a.length && !isAlnum(a[one])) {
        one++;
      }
      while (two < b.length && !isAlnum(b[two])) {
        two++;
      }
      if (!(one < a.length && two < b.length)) {
        break;
      }
      // separator runs of different lengths decide
      if ((one - ptr1) != (two - ptr2)) {
        return (one - ptr1) < (two - ptr2) ? -1 : 1;
      }
      ptr1 = one;
      ptr2 = two;
      boolean isNum;
      if (isDigit(a[ptr1])) {
        while (ptr1 < a.length && isDigit(a[ptr1])) {
          ptr1++;
        }
        while (ptr2 < b.length && isDigit(b[ptr2])) {
          ptr2++;
        }
        isNum = true;
      } else {
        while (ptr1 < a.length && isAlpha(a[ptr1])) {
          ptr1++;
        }
        while (ptr2 < b.length && isAlpha(b[ptr2])) {
          ptr2++;
        }
        isNum = false;
      }
      if (one == ptr1) {
        return -1; // cannot happen: a has a non-empty segment here
      }
      // segments of different types: numeric is newer than alpha
      if (two == ptr2) {
        return isNum ? 1 : -1;
      }
      if (isNum) {
        while (one < ptr1 && a[one] == '0') {
          one++;
        }
        while (two < ptr2 && b[two] == '0') {
          two++;
        }
        int len1 = ptr1 - one;
        int len2 = ptr2 - two;
        if (len1 != len2) {
          return len1 > len2 ? 1 : -1;
        }
      }
      int rc = compareBytes(a, one, ptr1, b, two, ptr2);
      if (rc != 0) {
        return rc < 0 ? -1 : 1;
      }
      one = ptr1;
      two = ptr2;
    }
    boolean oneEnd = one >= a.length;
    boolean twoEnd = two >= b.length;
    if (oneEnd && twoEnd) {
      return 0;
    }
    // a remaining alpha segment never beats an empty string
    if ((oneEnd && !isAlpha(b[two])) || (!oneEnd && isAlpha(a[one]))) {
      return -1;
    }
    return 1;
  }

  private static int compareBytes(byte[] a, int from1, int to1, byte[] b, int from2, int to2) {
    int n1 = to1 - from1;
    int n2 = to2 - from2;
    for (int i = 0; i < Math.min(n1, n2); i++) {
      int c1 = a[from1 + i] & 0xff;
      int c2 = b[from2 + i] & 0xff;
      if (c1 != c2) {
        return c1 - c2;
      }
    }
    return n1 - n2;
  }

  private static byte[] slice(byte[] bytes, int from, int to) {
    return java.util.Arrays.copyOfRange(bytes, from, to);
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isAlpha(byte c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isAlnum(byte c) {
    return isDigit(c) || isAlpha(c);
  }
}

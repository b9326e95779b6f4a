package io.s3repofs.pacman;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/** Bytewise (C locale, {@code LC_ALL=C sort}) ordering of strings by their UTF-8 encoding. */
final class ByteOrder {
  static final Comparator<String> UTF8 = ByteOrder::compare;

  private ByteOrder() {}

  static int compare(String a, String b) {
    return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
        b.getBytes(StandardCharsets.UTF_8));
  }
}

package io.s3repofs.pacman;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/**
 * The compressions of package and database tar archives that s3repofs reads and writes: those
 * makepkg and repo-add use by default plus bzip2 and plain tar. Packages are recognised by their
 * magic bytes, databases by their file name extension (as repo-add does).
 */
public enum Compression {
  /** Uncompressed tar ({@code .tar}). */
  NONE("tar"),
  /** gzip ({@code .tar.gz}), repo-add's traditional database format. */
  GZIP("tar.gz"),
  /** bzip2 ({@code .tar.bz2}). */
  BZIP2("tar.bz2"),
  /** xz ({@code .tar.xz}). */
  XZ("tar.xz"),
  /** Zstandard ({@code .tar.zst}), makepkg's default package format. */
  ZSTD("tar.zst");

  /** xz-java memory limit: far above makepkg's -9 (64 MiB dictionary), far below a hostile 1.5 GiB. */
  private static final int XZ_MEMORY_LIMIT_KIB = 256 * 1024;

  private final String suffix;

  Compression(String suffix) {
    this.suffix = suffix;
  }

  /** The file name suffix without the leading dot, e.g. {@code tar.zst}. */
  public String suffix() {
    return suffix;
  }

  /** The compression named by a suffix such as {@code tar.gz} (the part after {@code .db.}). */
  public static Optional<Compression> fromSuffix(String suffix) {
    for (Compression c : values()) {
      if (c.suffix.equals(suffix)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /**
     * Recognises the compression from the first bytes of a file (at least 262 bytes are needed to
     * recognise a plain tar).
     */
  public static Optional<Compression> detect(byte[] head, int length) {
    if (startsWith(head, length, 0x1f, 0x8b)) {
      return Optional.of(GZIP);
    }
    if (startsWith(head, length, 0xfd, '7', 'z', 'X', 'Z', 0x00)) {
      return Optional.of(XZ);
    }
    if (startsWith(head, length, 0x28, 0xb5, 0x2f, 0xfd)) {
      return Optional.of(ZSTD);
    }
    if (startsWith(head, length, 'B', 'Z', 'h')) {
      return Optional.of(BZIP2);
    }
    if (length >= 262 && head[257] == 'u' && head[258] == 's' && head[259] == 't'
        && head[260] == 'a' && head[261] == 'r') {
      return Optional.of(NONE);
    }
    return Optional.empty();
  }

  private static boolean startsWith(byte[] head, int length, int... magic) {
    if (length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((head[i] & 0xff) != magic[i]) {
        return false;
      }
    }
    return true;
  }

  /** Wraps a stream of compressed bytes into one of the decompressed bytes. */
  public InputStream decompress(InputStream in) throws IOException {
    return switch (this) {
      case NONE -> in;
      case GZIP -> new GzipCompressorInputStream(in, true);
      case BZIP2 -> new BZip2CompressorInputStream(in, true);
      case XZ -> new XZInputStream(in, XZ_MEMORY_LIMIT_KIB);
      case ZSTD -> new ZstdInputStream(in);
    };
  }

  /** Wraps an output stream so that what is written to the result reaches it compressed. */
  public OutputStream compress(OutputStream out) throws IOException {
    return switch (this) {
      case NONE -> out;
      case GZIP -> new GZIPOutputStream(out, 65536);
      case BZIP2 -> new BZip2CompressorOutputStream(out);
      case XZ -> new XZOutputStream(out, new LZMA2Options(6));
      case ZSTD -> new ZstdOutputStream(out, 6);
    };
  }

  /** A short human name, e.g. {@code zstd}. */
  public String displayName() {
    return switch (this) {
      case NONE -> "uncompressed tar";
      case GZIP -> "gzip";
      case BZIP2 -> "bzip2";
      case XZ -> "xz";
      case ZSTD -> "zstd";
    };
  }
}

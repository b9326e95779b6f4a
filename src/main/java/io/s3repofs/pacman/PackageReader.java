package io.s3repofs.pacman;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads a pacman package ({@code .pkg.tar.zst}, {@code .xz}, {@code .gz}, also {@code .bz2} and
 * plain tar; the compression is recognised from the magic bytes, not the name) in one streaming
 * pass: parses {@code .PKGINFO}, collects the file list and computes size, MD5 and SHA-256 of the
 * file. Nothing is extracted and the package is never held in memory.
 *
 * <p>Broken or hostile input (not a tar, truncated or corrupt data, no or two {@code .PKGINFO},
 * absolute or {@code ..} entry names, a {@code .PKGINFO} over the size limit) is reported as a
 * {@link PackageException} naming the file; no other exception type escapes {@link #read}.
 */
public final class PackageReader {
  /** The default limit for the size of {@code .PKGINFO}: 1 MiB (real ones are a few KiB). */
  public static final int DEFAULT_MAX_PKGINFO_BYTES = 1 << 20;

  private static final int HEAD_BYTES = 512;

  private final int maxPkginfoBytes;

  /** A reader with the default {@code .PKGINFO} limit. */
  public PackageReader() {
    this(DEFAULT_MAX_PKGINFO_BYTES);
  }

  /** A reader refusing {@code .PKGINFO} entries larger than {@code maxPkginfoBytes}. */
  public PackageReader(int maxPkginfoBytes) {
    this.maxPkginfoBytes = maxPkginfoBytes;
  }

  /**
     * Reads one package file.
     *
     * @throws PackageException if the file is missing, unreadable, not a package, or broken
     */
  public PackageFile read(Path file) throws PackageException {
    if (!Files.exists(file)) {
      throw new PackageException(file, "file not found");
    }
    if (!Files.isRegularFile(file)) {
      throw new PackageException(file, "not a regular file");
    }
    try (InputStream raw = Files.newInputStream(file)) {
      HashingInputStream hashed = new HashingInputStream(raw);
      return read(file, hashed);
    } catch (PackageException e) {
      throw e;
    } catch (NoSuchFileException e) {
      throw new PackageException(file, "file not found", e);
    } catch (IOException e) {
      throw new PackageException(file, describe(e), e);
    } catch (RuntimeException | StackOverflowError e) {
      // decoders throw unchecked exceptions on some garbage input
      throw new PackageException(file, "corrupt archive (" + describe(e) + ")", e);
    }
  }

  private PackageFile read(Path file, HashingInputStream hashed) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(hashed, 65536);
    buffered.mark(HEAD_BYTES);
    byte[] head = buffered.readNBytes(HEAD_BYTES);
    buffered.reset();
    if (head.length == 0) {
      throw new PackageException(file, "not a package: the file is empty");
    }
    Optional<Compression> detected = Compression.detect(head, head.length);
    if (detected.isEmpty()) {
      throw new PackageException(file, "not a package: not a tar archive compressed with zstd, xz, gzip or bzip2");
    }
    Compression compression = detected.get();
    String infoText = null;
    TreeSet<String> files = new TreeSet<>(ByteOrder.UTF8);
    int entries = 0;
    try (InputStream decompressed = compression.decompress(buffered);
        TarArchiveInputStream tar = new TarArchiveInputStream(decompressed)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        entries++;
        String name = entry.getName();
        checkEntryName(file, name, "entry name");
        if (entry.isLink()) {
          checkEntryName(file, entry.getLinkName(), "hard link target");
        }
        if (name.equals(".PKGINFO")) {
          if (infoText != null) {
            throw new PackageException(file, "invalid package: two .PKGINFO entries");
          }
          if (!entry.isFile()) {
            throw new PackageException(file, "invalid package: .PKGINFO is not a regular file");
          }
          infoText = readPkginfo(file, tar, entry.getSize());
        } else if (!name.startsWith(".")) {
          // repo-add: bsdtar --exclude='^.*' -tf PKG | LC_ALL=C sort -u
          files.add(name);
        }
        // the entry's data is skipped by getNextEntry, still passing through the digests
      }
      // the end of the tar may come before the end of the compressed stream: read both out
      decompressed.transferTo(OutputStreamNull.INSTANCE);
      hashed.transferTo(OutputStreamNull.INSTANCE);
    }
    if (entries == 0) {
      throw new PackageException(file, "not a package: empty or truncated tar archive");
    }
    if (infoText == null) {
      throw new PackageException(file, "not a package: no .PKGINFO entry");
    }
    PackageInfo info;
    try {
      info = PackageInfo.parse(infoText);
    } catch (IllegalArgumentException e) {
      throw new PackageException(file, e.getMessage());
    }
    long size = hashed.count();
    return new PackageFile(file, info, compression, size, hashed.md5Hex(), hashed.sha256Hex(),
        new ArrayList<>(files));
  }

  private String readPkginfo(Path file, TarArchiveInputStream tar, long declaredSize)
      throws IOException {
    if (declaredSize > maxPkginfoBytes) {
      throw new PackageException(file, "invalid package: .PKGINFO is " + declaredSize
          + " bytes, more than the " + maxPkginfoBytes + " allowed");
    }
    byte[] bytes = tar.readNBytes(maxPkginfoBytes + 1);
    if (bytes.length > maxPkginfoBytes) {
      throw new PackageException(file, "invalid package: .PKGINFO is larger than "
          + maxPkginfoBytes + " bytes");
    }
    if (bytes.length < declaredSize) {
      throw new PackageException(file, "truncated archive: .PKGINFO is cut short");
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new PackageException(file, "invalid package: .PKGINFO is not UTF-8 text");
    }
  }

  /** Rejects names that would escape the installation root if extracted. */
  private static void checkEntryName(Path file, String name, String what) throws PackageException {
    if (name == null || name.isEmpty()) {
      throw new PackageException(file, "hostile package: empty " + what);
    }
    if (name.indexOf('\0') >= 0) {
      throw new PackageException(file, "hostile package: NUL byte in " + what);
    }
    if (name.startsWith("/")) {
      throw new PackageException(file, "hostile package: absolute " + what + " '" + printable(name) + "'");
    }
    for (String part : name.split("/")) {
      if (part.equals("..")) {
        throw new PackageException(file, "hostile package: '..' in " + what + " '" + printable(name) + "'");
      }
    }
  }

  private static String printable(String s) {
    String cut = s.length() > 200 ? s.substring(0, 200) + "..." : s;
    StringBuilder sb = new StringBuilder();
    cut.codePoints().forEach(c -> {
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\x%02x", c));
      } else {
        sb.appendCodePoint(c);
      }
    });
    return sb.toString();
  }

  /** One line describing an I/O or decoding failure, without the exception's class noise. */
  static String describe(Throwable e) {
    String message = e.getMessage();
    if (e instanceof EOFException || (message != null && message.toLowerCase().contains("truncated"))) {
      return "truncated or corrupt archive" + (message == null ? "" : " (" + message + ")");
    }
    if (message == null || message.isBlank()) {
      message = e.getClass().getSimpleName();
    }
    return "corrupt or unreadable archive (" + message + ")";
  }

  /** Counts the bytes and computes MD5 and SHA-256 of everything read through it. */
  private static final class HashingInputStream extends FilterInputStream {
    private final MessageDigest md5;
    private final MessageDigest sha256;
    private long count;

    HashingInputStream(InputStream in) {
      super(in);
      try {
        md5 = MessageDigest.getInstance("MD5");
        sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        md5.update((byte) b);
        sha256.update((byte) b);
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        md5.update(b, off, n);
        sha256.update(b, off, n);
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      // skipping must hash too: read instead
      byte[] buf = new byte[(int) Math.min(n, 65536)];
      int r = read(buf, 0, buf.length);
      return Math.max(r, 0);
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    long count() {
      return count;
    }

    String md5Hex() {
      return HexFormat.of().formatHex(md5.digest());
    }

    String sha256Hex() {
      return HexFormat.of().formatHex(sha256.digest());
    }
  }

  /** Discards everything written to it. */
  private static final class OutputStreamNull extends java.io.OutputStream {
    static final OutputStreamNull INSTANCE = new OutputStreamNull();

    @Override
    public void write(int b) {}

    @Override
    public void write(byte[] b, int off, int len) {}
  }
}

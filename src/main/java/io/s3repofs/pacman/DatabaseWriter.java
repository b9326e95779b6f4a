package io.s3repofs.pacman;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes a repository's databases the way repo-add does: both {@code NAME.db.tar.EXT} and
 * {@code NAME.files.tar.EXT} are first written completely under temporary names
 * ({@code .tmp.NAME.db.tar.EXT}) in the same directory; only then is each previous file kept as
 * {@code .old} (hard link, or rename where links fail), the new one renamed over it, and the
 * {@code NAME.db} / {@code NAME.files} links made (symlink, else hard link, else copy).
 * A failure before the renames leaves the existing databases untouched.
 */
public final class DatabaseWriter {
  private DatabaseWriter() {}

  /**
     * Writes one database archive to a stream (not closed).
     *
     * @param withFiles {@code true} for the files database ({@code desc} and {@code files} per
     *     entry), {@code false} for the package database ({@code desc} only)
     */
  public static void writeArchive(RepoDatabase db, boolean withFiles, Compression compression,
      OutputStream out) throws IOException {
    OutputStream compressed = compression.compress(new NonClosing(out));
    Date now = new Date();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(compressed)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      tar.setAddPaxHeadersForNonAsciiNames(true);
      for (RepoEntry e : db.entries()) {
        String dir = e.directoryName();
        TarArchiveEntry d = new TarArchiveEntry(dir + "/", TarArchiveEntry.LF_DIR);
        d.setMode(040755);
        d.setModTime(now);
        d.setUserName("root");
        d.setGroupName("root");
        tar.putArchiveEntry(d);
        tar.closeArchiveEntry();
        member(tar, dir + "/desc", e.desc(), now);
        if (withFiles && e.files() != null) {
          member(tar, dir + "/files", e.filesText(), now);
        }
      }
      tar.finish();
    }
  }

  private static void member(TarArchiveOutputStream tar, String name, String text, Date now)
      throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry f = new TarArchiveEntry(name);
    f.setMode(0100644);
    f.setSize(bytes.length);
    f.setModTime(now);
    f.setUserName("root");
    f.setGroupName("root");
    tar.putArchiveEntry(f);
    tar.write(bytes);
    tar.closeArchiveEntry();
  }

  /**
     * Writes both databases of a repository and rotates them into place.
     *
     * @param listener told about each step and about warnings
     */
  public static void write(RepoDatabase db, RepoLocation location, RepoListener listener)
      throws IOException {
    write(db, location, listener, null);
  }

  /**
     * Writes both databases, signs them with {@code signer} (unless null) as repo-add's
     * {@code --sign} does ({@code NAME.db.tar.EXT.sig}, and {@code NAME.db.sig} next to the
     * {@code NAME.db} link), and rotates them into place.
     */
  public static void write(RepoDatabase db, RepoLocation location, RepoListener listener,
      Gpg signer) throws IOException {
    List<Path[]> written = new ArrayList<>();
    try {
      for (boolean withFiles : new boolean[] {false, true}) {
        Path target = withFiles ? location.filesFile() : location.dbFile();
        Path temp = target.resolveSibling(".tmp." + target.getFileName());
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 65536)) {
          writeArchive(db, withFiles, location.compression(), out);
        }
        written.add(new Path[] {temp, target});
        if (signer != null) {
          listener.info("Signing database '" + target.getFileName() + "'");
          signer.sign(temp, signature(temp));
        }
      }
    } catch (IOException | RuntimeException e) {
      for (Path[] w : written) {
        Files.deleteIfExists(w[0]);
        Files.deleteIfExists(signature(w[0]));
      }
      if (e instanceof RepoException re) {
        throw re;
      }
      Files.deleteIfExists(location.dbFile().resolveSibling(".tmp." + location.filesFile().getFileName()));
      throw new RepoException("cannot write the database in " + location.directory() + ": "
          + e.getMessage(), e);
    }
    for (Path[] w : written) {
      rotate(w[0], w[1], listener, signer != null);
    }
    link(location.dbFile(), location.dbLink());
    link(location.filesFile(), location.filesLink());
    if (signer != null) {
      link(signature(location.dbFile()), signature(location.dbLink()));
      link(signature(location.filesFile()), signature(location.filesLink()));
    }
  }

  /** {@code FILE.sig}. */
  static Path signature(Path file) {
    return file.resolveSibling(file.getFileName() + ".sig");
  }

  private static void rotate(Path temp, Path target, RepoListener listener, boolean signed)
      throws IOException {
    Path old = target.resolveSibling(target.getFileName() + ".old");
    Path sig = target.resolveSibling(target.getFileName() + ".sig");
    Path oldSig = target.resolveSibling(target.getFileName() + ".old.sig");
    if (Files.exists(target)) {
      Files.deleteIfExists(old);
      try {
        Files.createLink(old, target);
      } catch (IOException | UnsupportedOperationException e) {
        Files.move(target, old, StandardCopyOption.REPLACE_EXISTING);
      }
      if (Files.exists(sig)) {
        // the signature is for the previous content; keep it with the backup
        Files.move(sig, oldSig, StandardCopyOption.REPLACE_EXISTING);
        if (!signed) {
          listener.warn("the signature " + sig.getFileName() + " no longer matches and was moved to "
              + oldSig.getFileName() + " (use --sign to sign the new database)");
        }
      } else {
        Files.deleteIfExists(oldSig);
      }
    }
    move(temp, target);
    if (signed) {
      move(signature(temp), sig);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Makes {@code link} name {@code target}: a relative symlink, else a hard link, else a copy. */
  static void link(Path target, Path link) throws IOException {
    Files.deleteIfExists(link);
    Files.deleteIfExists(link.resolveSibling(link.getFileName() + ".sig"));
    try {
      Files.createSymbolicLink(link, target.getFileName());
      return;
    } catch (UnsupportedOperationException | FileSystemException e) {
      // no symlinks here (e.g. some FUSE filesystems)
    }
    try {
      Files.createLink(link, target);
      return;
    } catch (UnsupportedOperationException | FileSystemException e) {
      // no hard links either
    }
    Files.copy(target, link, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Keeps the compressor's close() from closing the caller's stream. */
  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}

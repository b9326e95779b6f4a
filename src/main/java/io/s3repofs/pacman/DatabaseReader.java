package io.s3repofs.pacman;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads repository databases as repo-add and pacman write them: {@code NAME.db.tar.*} (entry
 * directories {@code name-version/} holding {@code desc}) and {@code NAME.files.tar.*} (also
 * {@code files}). The compression is recognised from the content. An empty file or an archive
 * without entries is an empty database, as for repo-add.
 */
public final class DatabaseReader {
  /** Limit for one {@code desc} or {@code files} member (a files list of a big package is a few MiB). */
  static final int MAX_MEMBER_BYTES = 64 << 20;

  private DatabaseReader() {}

  /**
     * Reads the database and, if present, the files database of a repository. A missing database
     * is an empty one; entries keep their file lists from the files database.
     *
     * @throws DatabaseException if a file exists but is not a proper pacman database
     */
  public static RepoDatabase load(RepoLocation location) throws IOException {
    RepoDatabase db = Files.exists(location.dbFile()) ? read(location.dbFile()) : new RepoDatabase();
    if (Files.exists(location.filesFile())) {
      withFileLists(db, read(location.filesFile()));
    }
    return db;
  }

  /**
     * Gives each entry of {@code db} the file list of the entry of the same name and version in
     * {@code files} (a files database); entries without one keep none.
     */
  public static RepoDatabase withFileLists(RepoDatabase db, RepoDatabase files) {
    for (RepoEntry e : db.entries()) {
      files.get(e.name())
          .filter(f -> f.version().equals(e.version()))
          .ifPresent(f -> db.put(e.withFiles(f.files())));
    }
    return db;
  }

  /**
     * Reads one database archive (either kind).
     *
     * @throws DatabaseException if it is not a proper pacman database
     */
  public static RepoDatabase read(Path file) throws IOException {
    try (InputStream raw = Files.newInputStream(file)) {
      return read(raw, file.toString());
    }
  }

  /**
     * Reads one database archive (either kind) held in memory.
     *
     * @param where names the database in messages (an {@code s3://} URL, say)
     * @throws DatabaseException if it is not a proper pacman database
     */
  public static RepoDatabase read(byte[] bytes, String where) throws IOException {
    return read(new java.io.ByteArrayInputStream(bytes), where);
  }

  private static RepoDatabase read(InputStream raw, String file) throws IOException {
    try (BufferedInputStream in = new BufferedInputStream(raw, 65536)) {
      in.mark(512);
      byte[] head = in.readNBytes(512);
      in.reset();
      if (head.length == 0) {
        return new RepoDatabase();
      }
      Optional<Compression> compression = Compression.detect(head, head.length);
      if (compression.isEmpty()) {
        // a tar of nothing (repo-add's empty database) is 1024+ zero bytes
        if (isAllZero(head)) {
          return new RepoDatabase();
        }
        throw new DatabaseException(file, "not a proper pacman database (not a tar archive)");
      }
      return readTar(file, compression.get().decompress(in));
    } catch (DatabaseException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new DatabaseException(file, "not a proper pacman database ("
          + PackageReader.describe(e) + ")", e);
    }
  }

  private static boolean isAllZero(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static RepoDatabase readTar(String file, InputStream in) throws IOException {
    Map<String, String[]> members = new LinkedHashMap<>(); // dir -> {desc, files}
    int entries = 0;
    try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        entries++;
        String name = entry.getName();
        String[] parts = name.split("/", -1);
        if (parts.length == 0 || parts[0].isEmpty() || parts[0].equals(".") || parts[0].equals("..")
            || parts.length > 2 || name.startsWith("/")) {
          throw new DatabaseException(file, "not a proper pacman database (unexpected entry '"
              + name + "')");
        }
        if (parts.length == 1 || parts[1].isEmpty() || !entry.isFile()) {
          continue; // the directory itself
        }
        int slot = switch (parts[1]) {
          case "desc" -> 0;
          case "files" -> 1;
          default -> -1; // e.g. the "depends" of very old databases: not used
        };
        if (slot < 0) {
          continue;
        }
        if (entry.getSize() > MAX_MEMBER_BYTES) {
          throw new DatabaseException(file, "entry '" + name + "' is larger than "
              + MAX_MEMBER_BYTES + " bytes");
        }
        byte[] bytes = tar.readNBytes(MAX_MEMBER_BYTES);
        members.computeIfAbsent(parts[0], k -> new String[2])[slot] =
            new String(bytes, StandardCharsets.UTF_8);
      }
    }
    RepoDatabase db = new RepoDatabase();
    boolean anyDesc = false;
    for (Map.Entry<String, String[]> m : members.entrySet()) {
      String desc = m.getValue()[0];
      if (desc == null) {
        continue;
      }
      anyDesc = true;
      try {
        db.put(RepoEntry.parse(desc, m.getValue()[1]));
      } catch (IllegalArgumentException e) {
        throw new DatabaseException(file, "entry '" + m.getKey() + "': " + e.getMessage());
      }
    }
    if (!anyDesc && entries > 0 && !members.isEmpty()) {
      throw new DatabaseException(file, "not a proper pacman database (no */desc entries)");
    }
    return db;
  }
}

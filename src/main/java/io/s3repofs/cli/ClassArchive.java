package io.s3repofs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The class-data sharing archive that the launcher (scripts/s3repofs) asks the first mount of a
 * build to write when its JVM exits ({@code -XX:ArchiveClassesAtExit}). Only a mount that served
 * its file system keeps it: one that failed first (wrong keys, a missing bucket) loaded a small
 * part of a mount's classes (an archive of 1.7 MB instead of 25 MB), and every later start would
 * map that one instead of a useful one. The launcher renames an archive into place only beside
 * the marker {@link #keep()} leaves, and deletes the others.
 */
final class ClassArchive {

  /** The archive this JVM writes at exit, as the launcher names it; unset when it writes none. */
  static final String PROPERTY = "s3repofs.cds-archive";

  private ClassArchive() {
  }

  /** Marks this JVM's archive as worth keeping. */
  static void keep() {
    String archive = System.getProperty(PROPERTY);
    if (archive == null || archive.isEmpty()) {
      return;
    }
    try {
      Files.write(Path.of(archive + ".ok"), new byte[0]);
    } catch (IOException | InvalidPathException e) {
      // only the start-up saving is lost: the launcher deletes an unmarked archive
    }
  }
}

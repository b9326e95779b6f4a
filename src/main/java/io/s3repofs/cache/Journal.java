package io.s3repofs.cache;

import io.s3repofs.store.PosixAttributes;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The write-back journal: one small file per closed file or symlink that is not yet in the bucket,
 * written when it is closed and deleted once it is uploaded. A mount started on the same cache
 * directory replays what is left, so a crash after close loses nothing. Each record is written
 * under a temporary name and renamed into place, so a record is either whole or absent.
 *
 * <p>Durability against a power cut is a group commit: {@link #sync} returns once the record
 * files and data files handed to it — and those of every sync that started before — are on disk
 * (fsync of each file, then of the directories). Callers that close many files at once share one
 * round of fsyncs: the first waiting caller syncs everything pending, the others wait for it.
 */
public final class Journal {

  private static final String SUFFIX = ".pending";

  private final Path directory;
  private final AtomicLong nextSequence = new AtomicLong(1);
  private final boolean durable;
  /** Group commit state, guarded by {@code syncLock}. */
  private final Object syncLock = new Object();
  private java.util.Set<Path> toSync = new java.util.LinkedHashSet<>();
  private long requestedRound;
  private long syncedRound;
  private boolean syncing;
  private long syncRounds;

  public Journal(Path directory) {
    this(directory, true);
  }

  /** @param durable whether {@link #sync} fsyncs (off only for tests that measure its cost) */
  public Journal(Path directory, boolean durable) {
    this.directory = directory;
    this.durable = durable;
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Records a pending upload with a new, highest sequence number and removes the record it
   * replaces (if {@code replacedSequence} is not negative). Returns the new sequence number.
   */
  public long write(long replacedSequence, String key, String dataFile, String symlinkTarget,
      PosixAttributes attrs) throws IOException {
    long sequence = nextSequence.getAndIncrement();
    Properties p = new Properties();
    p.setProperty("key", key);
    if (dataFile != null) {
      p.setProperty("data", dataFile);
    }
    if (symlinkTarget != null) {
      p.setProperty("symlink", symlinkTarget);
    }
    p.setProperty("mode", Integer.toString(attrs.mode()));
    p.setProperty("uid", Integer.toString(attrs.uid()));
    p.setProperty("gid", Integer.toString(attrs.gid()));
    p.setProperty("mtime", Long.toString(attrs.mtimeNanos()));
    p.setProperty("ctime", Long.toString(attrs.ctimeNanos()));
    p.setProperty("atime", Long.toString(attrs.atimeNanos()));
    Path tmp = directory.resolve(fileName(sequence) + ".tmp");
    try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(out, null);
    }
    try {
      Files.move(tmp, directory.resolve(fileName(sequence)), StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, directory.resolve(fileName(sequence)), StandardCopyOption.REPLACE_EXISTING);
    }
    remove(replacedSequence);
    return sequence;
  }

  /** The record file of a sequence number, for {@link #sync}. */
  public Path recordFile(long sequence) {
    return directory.resolve(fileName(sequence));
  }

  /**
   * Returns once the given files (record and data files) are on disk, with the journal directory
   * and the data files' directory. Many callers share one round of fsyncs.
   */
  public void sync(Path... files) throws IOException {
    if (!durable) {
      return;
    }
    long round;
    synchronized (syncLock) {
      for (Path f : files) {
        if (f != null) {
          toSync.add(f);
        }
      }
      round = ++requestedRound;
    }
    while (true) {
      java.util.Set<Path> batch;
      long upTo;
      synchronized (syncLock) {
        while (syncing && syncedRound < round) {
          try {
            syncLock.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while syncing the journal");
          }
        }
        if (syncedRound >= round) {
          return;
        }
        syncing = true;
        batch = toSync;
        toSync = new java.util.LinkedHashSet<>();
        upTo = requestedRound;
      }
      IOException failure = null;
      try {
        java.util.Set<Path> dirs = new java.util.LinkedHashSet<>();
        dirs.add(directory);
        for (Path f : batch) {
          forceQuietly(f, false);
          if (f.getParent() != null) {
            dirs.add(f.getParent());
          }
        }
        for (Path d : dirs) {
          forceQuietly(d, true);
        }
      } catch (IOException e) {
        failure = e;
      }
      synchronized (syncLock) {
        syncing = false;
        if (failure == null) {
          syncedRound = Math.max(syncedRound, upTo);
          syncRounds++;
        }
        syncLock.notifyAll();
      }
      if (failure != null) {
        throw failure;
      }
    }
  }

  /** How many rounds of fsyncs ran (each may cover many closes). */
  public long syncRounds() {
    synchronized (syncLock) {
      return syncRounds;
    }
  }

  private static void forceQuietly(Path path, boolean directory) throws IOException {
    try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(path, java.nio.file.StandardOpenOption.READ)) {
      c.force(true);
    } catch (java.nio.file.NoSuchFileException gone) {
      // removed meanwhile (uploaded, replaced): nothing to keep
    } catch (IOException e) {
      if (!directory) {
        throw e;
      }
      // some filesystems refuse fsync on a directory; the records themselves are synced
    }
  }

  /** Removes a record (a no-op for a negative sequence or a record already gone). */
  public void remove(long sequence) {
    if (sequence < 0) {
      return;
    }
    try {
      Files.deleteIfExists(directory.resolve(fileName(sequence)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads every record left by an earlier run, in close order. Where a crash left two records of
   * the same content (a rename caught between writing the new record and removing the old), the
   * newer one wins.
   */
  public List<JournalRecord> load() throws IOException {
    List<JournalRecord> records = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.endsWith(".tmp")) {
          Files.delete(file);
          continue;
        }
        if (!name.endsWith(SUFFIX)) {
          continue;
        }
        records.add(read(file, Long.parseLong(name.substring(0, name.length() - SUFFIX.length()))));
      }
    }
    records.sort(Comparator.comparingLong(JournalRecord::sequence));
    Map<String, JournalRecord> latestByIdentity = new HashMap<>();
    for (JournalRecord r : records) {
      String identity = r.dataFile() != null ? "data:" + r.dataFile() : "key:" + r.key();
      JournalRecord older = latestByIdentity.put(identity, r);
      if (older != null) {
        remove(older.sequence());
      }
    }
    List<JournalRecord> result = new ArrayList<>(latestByIdentity.values());
    result.sort(Comparator.comparingLong(JournalRecord::sequence));
    long max = result.stream().mapToLong(JournalRecord::sequence).max().orElse(0);
    nextSequence.set(Math.max(nextSequence.get(), max + 1));
    return result;
  }

  private static JournalRecord read(Path file, long sequence) throws IOException {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    }
    PosixAttributes attrs = new PosixAttributes(
        Integer.parseInt(p.getProperty("mode")), Integer.parseInt(p.getProperty("uid")),
        Integer.parseInt(p.getProperty("gid")), Long.parseLong(p.getProperty("mtime")),
        Long.parseLong(p.getProperty("ctime")), Long.parseLong(p.getProperty("atime")));
    return new JournalRecord(sequence, p.getProperty("key"), p.getProperty("data"),
        p.getProperty("symlink"), attrs);
  }

  private static String fileName(long sequence) {
    return String.format("%016d%s", sequence, SUFFIX);
  }
}

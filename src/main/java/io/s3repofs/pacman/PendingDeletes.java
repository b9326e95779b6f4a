package io.s3repofs.pacman;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The record of replaced package files waiting for their grace period to end, kept next to the
 * database as {@code NAME.db.tar.EXT.pending-deletes} so that any later run on any machine
 * ({@code repo add}, {@code repo remove}, {@code repo prune}) deletes them when due. Text, one
 * file a line: {@code DUE-TIME FILE} (ISO-8601 UTC), '#' comments.
 */
public final class PendingDeletes {

  /** A file and the time from which it may be deleted. */
  public record Entry(String file, Instant due) {}

  /** The name of the record next to database {@code name}. */
  public static String fileName(DatabaseName name) {
    return name.dbFile() + ".pending-deletes";
  }

  private final Map<String, Instant> due = new TreeMap<>();

  /** Parses a record; {@code source} names it in messages. */
  public static PendingDeletes parse(byte[] bytes, String source) throws RepoException {
    PendingDeletes p = new PendingDeletes();
    int n = 0;
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      n++;
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      int space = l.indexOf(' ');
      try {
        String file = l.substring(space + 1).strip();
        if (space < 0 || file.isEmpty() || file.contains("/")) {
          throw new DateTimeParseException("", l, 0);
        }
        p.due.put(file, Instant.parse(l.substring(0, space)));
      } catch (DateTimeParseException e) {
        throw new RepoException(source + " line " + n + " is not 'DUE-TIME FILE': " + l);
      }
    }
    return p;
  }

  public byte[] toBytes() {
    StringBuilder b = new StringBuilder("# s3repofs: package files replaced in the database,"
        + " deleted from the time shown on (repo add, repo remove, repo prune)\n");
    due.forEach((file, time) -> b.append(time).append(' ').append(file).append('\n'));
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Records {@code file} as due at {@code time} (the later time, if it is there already). */
  public void add(String file, Instant time) {
    due.merge(file, time, (a, b) -> a.isAfter(b) ? a : b);
  }

  public List<Entry> entries() {
    List<Entry> out = new ArrayList<>();
    due.forEach((f, t) -> out.add(new Entry(f, t)));
    return out;
  }

  public boolean isEmpty() {
    return due.isEmpty();
  }

  /**
   * Takes out what may go now: files the database names again are dropped from the record
   * without being deleted; files due at {@code now} (every one with {@code all}) are dropped
   * and returned, to be deleted.
   */
  public List<String> takeDue(Instant now, boolean all, Set<String> named) {
    List<String> out = new ArrayList<>();
    due.entrySet().removeIf(e -> {
      if (named.contains(e.getKey()) || named.contains(packageOf(e.getKey()))) {
        return true;
      }
      if (all || !e.getValue().isAfter(now)) {
        out.add(e.getKey());
        return true;
      }
      return false;
    });
    return out;
  }

  private static String packageOf(String file) {
    return file.endsWith(".sig") ? file.substring(0, file.length() - 4) : file;
  }
}

package io.s3repofs.pacman;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One package's entry in a repository database: the {@code %FIELD%} values of its {@code desc}
 * file and, when known, the file list of its {@code files} file (files database only).
 *
 * <p>{@link #desc()} renders fields exactly as repo-add does ({@code %FIELD%}, one value a line,
 * a blank line), in repo-add's order ({@link #FIELD_ORDER}); fields repo-add does not write
 * (from databases made by other tools) are kept and written after those, in their original
 * order. Entries are immutable.
 */
public final class RepoEntry {
  /** The %FIELD%s repo-add (pacman 6.0.2) writes, in its order. */
  public static final List<String> FIELD_ORDER = List.of("FILENAME", "NAME", "BASE", "VERSION",
      "DESC", "GROUPS", "CSIZE", "ISIZE", "MD5SUM", "SHA256SUM", "PGPSIG", "URL", "LICENSE",
      "ARCH", "BUILDDATE", "PACKAGER", "REPLACES", "CONFLICTS", "PROVIDES", "DEPENDS",
      "OPTDEPENDS", "MAKEDEPENDS", "CHECKDEPENDS");

  private final Map<String, List<String>> fields;
  private final List<String> files;

  private RepoEntry(Map<String, List<String>> fields, List<String> files) {
    this.fields = fields;
    this.files = files;
    if (name() == null || version() == null) {
      throw new IllegalArgumentException("an entry needs %NAME% and %VERSION%");
    }
  }

  /**
     * The entry repo-add would write for a package.
     *
     * @param pgpsig base64 of the detached signature, or {@code null} for none
     */
  public static RepoEntry of(PackageFile pkg, String pgpsig) {
    PackageInfo info = pkg.info();
    Map<String, List<String>> f = new LinkedHashMap<>();
    put(f, "FILENAME", pkg.fileName());
    put(f, "NAME", info.name());
    put(f, "BASE", info.base());
    put(f, "VERSION", info.version());
    put(f, "DESC", info.description());
    put(f, "GROUPS", info.groups());
    put(f, "CSIZE", Long.toString(pkg.compressedSize()));
    put(f, "ISIZE", info.installedSize());
    put(f, "MD5SUM", pkg.md5());
    put(f, "SHA256SUM", pkg.sha256());
    put(f, "PGPSIG", pgpsig);
    put(f, "URL", info.url());
    put(f, "LICENSE", info.licenses());
    put(f, "ARCH", info.arch());
    put(f, "BUILDDATE", info.buildDate());
    put(f, "PACKAGER", info.packager());
    put(f, "REPLACES", info.replaces());
    put(f, "CONFLICTS", info.conflicts());
    put(f, "PROVIDES", info.provides());
    put(f, "DEPENDS", info.depends());
    put(f, "OPTDEPENDS", info.optDepends());
    put(f, "MAKEDEPENDS", info.makeDepends());
    put(f, "CHECKDEPENDS", info.checkDepends());
    return new RepoEntry(freeze(f), pkg.files());
  }

  private static void put(Map<String, List<String>> f, String field, String value) {
    if (value != null && !value.isEmpty()) {
      f.put(field, List.of(value));
    }
  }

  private static void put(Map<String, List<String>> f, String field, List<String> values) {
    // repo-add's format_entry writes nothing when the first value is empty
    if (!values.isEmpty() && !values.get(0).isEmpty()) {
      f.put(field, values);
    }
  }

  /**
     * Parses an entry from database text.
     *
     * @param desc the {@code desc} file
     * @param filesText the {@code files} file, or {@code null} if the entry has none
     * @throws IllegalArgumentException if the text is not a valid entry (no %NAME%/%VERSION%)
     */
  public static RepoEntry parse(String desc, String filesText) {
    Map<String, List<String>> f = parseFields(desc);
    List<String> files = null;
    if (filesText != null) {
      Map<String, List<String>> ff = parseFields(filesText);
      files = ff.getOrDefault("FILES", List.of());
    }
    return new RepoEntry(freeze(f), files);
  }

  /** Parses {@code %FIELD%} blocks: a header line, value lines, a blank line. */
  static Map<String, List<String>> parseFields(String text) {
    Map<String, List<String>> f = new LinkedHashMap<>();
    String current = null;
    for (String line : text.split("\n", -1)) {
      if (line.isEmpty()) {
        current = null;
      } else if (current == null) {
        if (line.length() >= 3 && line.startsWith("%") && line.endsWith("%")) {
          current = line.substring(1, line.length() - 1);
          f.computeIfAbsent(current, k -> new ArrayList<>());
        }
        // anything else outside a block is ignored, as libalpm does
      } else {
        f.get(current).add(line);
      }
    }
    f.values().removeIf(List::isEmpty);
    return f;
  }

  private static Map<String, List<String>> freeze(Map<String, List<String>> f) {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    f.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(copy);
  }

  /** This entry with the given file list (or none, with {@code null}). */
  public RepoEntry withFiles(List<String> newFiles) {
    return new RepoEntry(fields, newFiles == null ? null : List.copyOf(newFiles));
  }

  /** %NAME%. */
  public String name() {
    return first("NAME");
  }

  /** %VERSION%: {@code [epoch:]pkgver-pkgrel}. */
  public String version() {
    return first("VERSION");
  }

  /** %FILENAME%: the package file's name, next to the database. */
  public String fileName() {
    return first("FILENAME");
  }

  /** The entry's directory name in the database archives: {@code name-version}. */
  public String directoryName() {
    return name() + "-" + version();
  }

  /** The values of a field, or an empty list. */
  public List<String> values(String field) {
    return fields.getOrDefault(field, List.of());
  }

  /** The first value of a field, or {@code null}. */
  public String first(String field) {
    List<String> v = fields.get(field);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** All fields, in the order they are written. */
  public Map<String, List<String>> fields() {
    Map<String, List<String>> ordered = new LinkedHashMap<>();
    for (String field : FIELD_ORDER) {
      if (fields.containsKey(field)) {
        ordered.put(field, fields.get(field));
      }
    }
    fields.forEach(ordered::putIfAbsent);
    return Collections.unmodifiableMap(ordered);
  }

  /** The file list, or {@code null} when unknown (an entry read from a db without files db). */
  public List<String> files() {
    return files;
  }

  /** The {@code desc} file as repo-add writes it. */
  public String desc() {
    StringBuilder sb = new StringBuilder();
    fields().forEach((field, values) -> {
      sb.append('%').append(field).append("%\n");
      for (String v : values) {
        sb.append(v).append('\n');
      }
      sb.append('\n');
    });
    return sb.toString();
  }

  /** The {@code files} file as repo-add writes it ({@code %FILES%} then one path a line). */
  public String filesText() {
    StringBuilder sb = new StringBuilder("%FILES%\n");
    if (files != null) {
      for (String f : files) {
        sb.append(f).append('\n');
      }
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RepoEntry e && fields().equals(e.fields()) && Objects.equals(files, e.files);
  }

  @Override
  public int hashCode() {
    return Objects.hash(fields, files);
  }

  @Override
  public String toString() {
    return directoryName();
  }
}

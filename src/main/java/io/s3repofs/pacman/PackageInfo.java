package io.s3repofs.pacman;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The parsed {@code .PKGINFO} of a package: every {@code key = value} line makepkg writes, in
 * the way repo-add reads it. Comment lines ({@code #...}) and blank lines are ignored; runs of
 * whitespace inside a value become one space; keys that may repeat ({@code license},
 * {@code group}, {@code depend}, ...) keep every value in order, other keys keep the last one.
 * Keys unknown to this class are kept too ({@link #values(String)}).
 */
public final class PackageInfo {
  /** The keys makepkg may write several times. */
  public static final Set<String> MULTI_VALUED = Set.of("license", "replaces", "group",
      "conflict", "provides", "backup", "depend", "optdepend", "makedepend", "checkdepend",
      "xdata");

  private static final Pattern WHITESPACE_RUN = Pattern.compile("[ \\t\\n\\x0B\\f\\r]+");
  /** makepkg's rule for package names (lint_pkgname): no leading '-' or '.'. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9@_+][A-Za-z0-9@._+-]*");
  /** [epoch:]pkgver-pkgrel where pkgver and pkgrel have no ':', '/', '-' or whitespace. */
  private static final Pattern FULL_VERSION = Pattern.compile("([0-9]+:)?[^:/\\s-]+-[^:/\\s-]+");

  private final Map<String, List<String>> values;

  private PackageInfo(Map<String, List<String>> values) {
    this.values = values;
  }

  /**
     * Parses the text of a {@code .PKGINFO}.
     *
     * @throws IllegalArgumentException if pkgname or pkgver is missing or malformed (the message
     *     names the problem; callers add the file name)
     */
  public static PackageInfo parse(String text) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (String line : text.split("\n", -1)) {
      if (line.isEmpty() || line.charAt(0) == '#') {
        continue;
      }
      String[] kv = splitLikeBashRead(line);
      if (kv == null) {
        continue;
      }
      String key = kv[0];
      String value = WHITESPACE_RUN.matcher(kv[1]).replaceAll(" ");
      if (MULTI_VALUED.contains(key)) {
        if (!value.isEmpty()) {
          values.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
      } else {
        // later lines win, as with repo-add's `declare`
        List<String> single = new ArrayList<>(1);
        single.add(value);
        values.put(key, single);
      }
    }
    PackageInfo info = new PackageInfo(freeze(values));
    info.validate();
    return info;
  }

  /**
     * Splits a line as repo-add's {@code IFS=' =' read -r var val} does: the key ends at the first
     * space or '='; the separator is spaces around at most one '='; trailing spaces are dropped.
     */
  private static String[] splitLikeBashRead(String line) {
    int i = 0;
    int n = line.length();
    while (i < n && line.charAt(i) == ' ') {
      i++;
    }
    int keyStart = i;
    while (i < n && line.charAt(i) != ' ' && line.charAt(i) != '=') {
      i++;
    }
    if (i == keyStart) {
      return null;
    }
    String key = line.substring(keyStart, i);
    while (i < n && line.charAt(i) == ' ') {
      i++;
    }
    if (i < n && line.charAt(i) == '=') {
      i++;
      while (i < n && line.charAt(i) == ' ') {
        i++;
      }
    }
    int end = n;
    while (end > i && line.charAt(end - 1) == ' ') {
      end--;
    }
    return new String[] {key, line.substring(i, end)};
  }

  private static Map<String, List<String>> freeze(Map<String, List<String>> values) {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    values.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(copy);
  }

  private void validate() {
    String name = single("pkgname");
    String version = single("pkgver");
    if (name == null || name.isEmpty() || version == null || version.isEmpty()) {
      throw new IllegalArgumentException("invalid package: .PKGINFO has no "
          + (name == null || name.isEmpty() ? "pkgname" : "pkgver"));
    }
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid package name in .PKGINFO: '" + name + "'");
    }
    if (!FULL_VERSION.matcher(version).matches()) {
      throw new IllegalArgumentException("invalid package version in .PKGINFO: '" + version
          + "' (expected [epoch:]pkgver-pkgrel)");
    }
  }

  private String single(String key) {
    List<String> v = values.get(key);
    return v == null || v.isEmpty() ? null : v.get(v.size() - 1);
  }

  /** All values of a key, in file order; empty if absent. */
  public List<String> values(String key) {
    return values.getOrDefault(key, List.of());
  }

  /** The (last) value of a key, or {@code null} if absent. */
  public String value(String key) {
    return single(key);
  }

  /** Every key present, in first-seen order. */
  public Set<String> keys() {
    return values.keySet();
  }

  /** {@code pkgname}. */
  public String name() {
    return single("pkgname");
  }

  /** {@code pkgbase}, or {@code null} (makepkg always writes it). */
  public String base() {
    return single("pkgbase");
  }

  /** The full version {@code [epoch:]pkgver-pkgrel} (makepkg's {@code pkgver} line). */
  public String version() {
    return single("pkgver");
  }

  /** {@code pkgdesc}, whitespace-normalised. */
  public String description() {
    return single("pkgdesc");
  }

  public String url() {
    return single("url");
  }

  /** {@code builddate}, seconds since the epoch, as written. */
  public String buildDate() {
    return single("builddate");
  }

  public String packager() {
    return single("packager");
  }

  /** {@code size}: the installed size in bytes, as written. */
  public String installedSize() {
    return single("size");
  }

  public String arch() {
    return single("arch");
  }

  public List<String> licenses() {
    return values("license");
  }

  public List<String> replaces() {
    return values("replaces");
  }

  public List<String> groups() {
    return values("group");
  }

  public List<String> conflicts() {
    return values("conflict");
  }

  public List<String> provides() {
    return values("provides");
  }

  public List<String> backup() {
    return values("backup");
  }

  public List<String> depends() {
    return values("depend");
  }

  public List<String> optDepends() {
    return values("optdepend");
  }

  public List<String> makeDepends() {
    return values("makedepend");
  }

  public List<String> checkDepends() {
    return values("checkdepend");
  }

  /** {@code xdata} lines (e.g. {@code pkgtype=pkg}, written by makepkg 6.1 and later). */
  public List<String> xdata() {
    return values("xdata");
  }

  /** {@code name-version}, the name of the package's database entry directory. */
  public String entryName() {
    return name() + "-" + version();
  }

  @Override
  public String toString() {
    return entryName();
  }
}

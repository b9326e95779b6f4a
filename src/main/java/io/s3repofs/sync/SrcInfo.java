package io.s3repofs.sync;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code makepkg --printsrcinfo} says about a PKGBUILD: the base, the version and the
 * names of the packages it builds (several for a split package).
 */
public record SrcInfo(String pkgbase, String pkgver, String pkgrel, String epoch,
    List<String> pkgnames) {

  /** {@code [EPOCH:]PKGVER-PKGREL}, as the repository database records it. */
  public String version() {
    return (epoch == null || epoch.isEmpty() || epoch.equals("0") ? "" : epoch + ":") + pkgver
        + "-" + pkgrel;
  }

  /** Parses .SRCINFO text; throws {@link SyncException} when a field is missing. */
  public static SrcInfo parse(String text, String where) {
    String base = null;
    String ver = null;
    String rel = null;
    String epoch = null;
    List<String> names = new ArrayList<>();
    boolean inBase = true;
    for (String line : text.split("\n")) {
      String trimmed = line.strip();
      int eq = trimmed.indexOf(" = ");
      if (trimmed.startsWith("#") || eq < 0) {
        continue;
      }
      String key = trimmed.substring(0, eq);
      String value = trimmed.substring(eq + 3);
      switch (key) {
        case "pkgbase" -> base = value;
        case "pkgname" -> {
          inBase = false;
          names.add(value);
        }
        case "pkgver" -> ver = inBase ? value : ver;
        case "pkgrel" -> rel = inBase ? value : rel;
        case "epoch" -> epoch = inBase ? value : epoch;
        default -> { }
      }
    }
    if (base == null || ver == null || rel == null || names.isEmpty()) {
      throw new SyncException("makepkg --printsrcinfo gave no pkgbase, pkgver, pkgrel or pkgname for "
          + where);
    }
    return new SrcInfo(base, ver, rel, epoch, List.copyOf(names));
  }
}

package io.s3repofs.store;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which HTTP headers ({@code Cache-Control}, {@code Content-Type}, ...) an object gets when it is
 * written, by its key: an ordered list of rules "GLOB HEADER VALUE", where a later rule that
 * matches overrides an earlier one for the same header, and an empty value removes the header.
 * A glob without '/' is matched against the object's file name, one with '/' against the whole
 * key (relative to the bucket prefix). {@link ObjectStore} applies the rules on every PUT,
 * multipart upload and copy.
 */
public final class HeaderRules {

  /** The headers an S3 PUT or copy can carry, in their canonical spelling. */
  public static final List<String> HEADERS = List.of("Cache-Control", "Content-Type",
      "Content-Disposition", "Content-Encoding", "Content-Language");

  /** One rule: objects whose key matches get {@code header: value} (or lose it when empty). */
  public record Rule(String pattern, Predicate<String> matches, String header, String value) {}

  /** No headers for any object. */
  public static final HeaderRules NONE = new HeaderRules(List.of());

  private final List<Rule> rules;

  public HeaderRules(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  public List<Rule> rules() {
    return rules;
  }

  /** These rules, then {@code more} (which win where both match). */
  public HeaderRules then(HeaderRules more) {
    List<Rule> all = new ArrayList<>(rules);
    all.addAll(more.rules);
    return new HeaderRules(all);
  }

  /** The headers an object written under {@code key} gets, by canonical name. */
  public Map<String, String> headersFor(String key) {
    Map<String, String> headers = new TreeMap<>();
    for (Rule r : rules) {
      if (r.matches().test(key)) {
        if (r.value().isEmpty()) {
          headers.remove(r.header());
        } else {
          headers.put(r.header(), r.value());
        }
      }
    }
    return headers;
  }

  /**
   * Parses rules, one per line: {@code GLOB HEADER[:] VALUE...}; '#' starts a comment line.
   *
   * @param source names the text in messages (a file name)
   * @throws IllegalArgumentException with a one-line message naming the line
   */
  public static HeaderRules parse(String text, String source) {
    List<Rule> rules = new ArrayList<>();
    int n = 0;
    for (String raw : text.split("\n", -1)) {
      n++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+", 3);
      if (parts.length < 2) {
        throw new IllegalArgumentException(source + " line " + n
            + ": expected GLOB HEADER VALUE, such as: *.pkg.tar.* Cache-Control public, max-age=31536000");
      }
      rules.add(rule(parts[0], glob(parts[0], source, n), header(parts[1], source, n),
          parts.length == 3 ? parts[2] : ""));
    }
    return new HeaderRules(rules);
  }

  /**
   * Parses s3fs's {@code ahbe_conf} format: {@code [SUFFIX|reg:REGEX] HEADER [VALUE]}, where a
   * suffix matches the end of the key and a regex is searched in "/" + key (s3fs's path).
   */
  public static HeaderRules parseAhbe(String text, String source) {
    List<Rule> rules = new ArrayList<>();
    int n = 0;
    for (String raw : text.split("\n", -1)) {
      n++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+", 3);
      String match = parts[0];
      Predicate<String> predicate;
      if (match.startsWith("reg:")) {
        try {
          Pattern p = Pattern.compile(match.substring(4));
          predicate = key -> p.matcher("/" + key).find();
        } catch (PatternSyntaxException e) {
          throw new IllegalArgumentException(source + " line " + n + ": bad regular expression '"
              + match.substring(4) + "'");
        }
      } else if (parts.length >= 2 && isHeader(parts[0]) && !isHeader(parts[1])) {
        predicate = key -> true; // an empty suffix: every object
        parts = line.split("\\s+", 2);
        parts = new String[] {"", parts[0], parts.length > 1 ? parts[1] : ""};
      } else {
        predicate = key -> key.endsWith(match);
      }
      if (parts.length < 2) {
        throw new IllegalArgumentException(source + " line " + n
            + ": expected SUFFIX HEADER VALUE, such as: .gz Content-Encoding gzip");
      }
      rules.add(rule(parts[0], predicate, header(parts[1], source, n),
          parts.length == 3 ? parts[2] : ""));
    }
    return new HeaderRules(rules);
  }

  private static Rule rule(String pattern, Predicate<String> matches, String header, String value) {
    return new Rule(pattern, matches, header, value.strip());
  }

  private static boolean isHeader(String word) {
    String name = word.endsWith(":") ? word.substring(0, word.length() - 1) : word;
    return HEADERS.stream().anyMatch(h -> h.equalsIgnoreCase(name));
  }

  private static String header(String word, String source, int line) {
    String name = word.endsWith(":") ? word.substring(0, word.length() - 1) : word;
    for (String h : HEADERS) {
      if (h.equalsIgnoreCase(name)) {
        return h;
      }
    }
    throw new IllegalArgumentException(source + " line " + line + ": header '" + name
        + "' is not one s3repofs sets (" + String.join(", ", HEADERS) + ")");
  }

  /** A glob on the file name, or on the whole key when it holds a '/'. */
  static Predicate<String> glob(String glob, String source, int line) {
    PathMatcher matcher;
    try {
      matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(source + " line " + line + ": bad glob '" + glob + "'");
    }
    boolean wholeKey = glob.indexOf('/') >= 0;
    return key -> {
      String subject = wholeKey ? key : key.substring(key.lastIndexOf('/') + 1);
      try {
        return !subject.isEmpty() && matcher.matches(Path.of(subject));
      } catch (RuntimeException e) {
        return false; // a key that is no valid path name matches no glob
      }
    };
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (Rule r : rules) {
      b.append(r.pattern()).append(' ').append(r.header()).append(": ").append(r.value())
          .append('\n');
    }
    return b.toString();
  }
}

package io.s3repofs.conformance;

import java.util.ArrayList;
import java.util.List;

/**
 * One row of the conformance table: set-up calls (as root, or as a user: "@u ..." / "@o ..."),
 * the call under test as {@link #who}, and what is observed afterwards. In every string "$"
 * stands for the case's own directory.
 *
 * @param name unique name, also the case directory's
 * @param who "root", "u" (uid/gid 4242) or "o" (uid/gid 4343)
 * @param setup calls that must succeed, in order
 * @param call the call under test
 * @param before the path stat'ed before the call (for "field~" observations), or null
 * @param after the path stat'ed after the call, or null
 * @param observe fields of {@code after}: "perm", "type", ...; "F~" compares F before and after
 *     ("same" / "changed"); "F==VALUE" gives "set" or "other"; "ino!=PATH" compares with another path's inode ("distinct" / "equal");
 *     "stat" is OK or the errno of stat'ing {@code after}
 * @param expected what Linux gives: the call's answer ("OK", "ERR ENOTDIR") then " F=value" for
 *     each observed field
 */
public record ConformanceCase(String name, String who, List<String> setup, String call, String before,
    String after, List<String> observe, String expected) {

  /** Whether observations compare times, so that a clock tick must pass before the call. */
  public boolean timed() {
    return observe.stream().anyMatch(o -> o.endsWith("time~"));
  }

  @Override
  public String toString() {
    return name + " (as " + who + ")";
  }

  /** A fluent builder: {@code c("name").as("u").setup(...).call(...).expect(...)}. */
  public static final class Builder {
    private final String name;
    private String who = "root";
    private final List<String> setup = new ArrayList<>();
    private String call;
    private String before;
    private String after;
    private final List<String> observe = new ArrayList<>();

    Builder(String name) {
      this.name = name;
    }

    public Builder as(String who) {
      this.who = who;
      return this;
    }

    public Builder setup(String... calls) {
      setup.addAll(List.of(calls));
      return this;
    }

    public Builder call(String call) {
      this.call = call;
      return this;
    }

    /** Stat {@code path} before and after the call (the same path). */
    public Builder watch(String path) {
      this.before = path;
      this.after = path;
      return this;
    }

    public Builder before(String path) {
      this.before = path;
      return this;
    }

    public Builder after(String path) {
      this.after = path;
      return this;
    }

    public Builder observe(String... fields) {
      observe.addAll(List.of(fields));
      return this;
    }

    public ConformanceCase expect(String expected) {
      String suffix = who.equals("root") ? "" : "-as-" + who;
      return new ConformanceCase(name + suffix, who, List.copyOf(setup), call, before, after,
          List.copyOf(observe), expected);
    }
  }
}

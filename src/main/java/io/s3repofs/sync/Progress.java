package io.s3repofs.sync;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * What a sync tells the user while it runs: on a terminal, one status line rewritten in place
 * (building, uploading with files and bytes left); otherwise plain lines, one per step.
 */
public final class Progress {

  private final PrintWriter err;
  private final boolean terminal;
  private final boolean quiet;
  private int lastWidth;

  public Progress(PrintWriter err, boolean terminal, boolean quiet) {
    this.err = err;
    this.terminal = terminal;
    this.quiet = quiet;
  }

  /** A step, kept on screen. */
  public synchronized void step(String message) {
    if (quiet) {
      return;
    }
    clear();
    err.println("==> " + message);
    err.flush();
  }

  /** A warning, always shown unless quiet. */
  public synchronized void warn(String message) {
    if (quiet) {
      return;
    }
    clear();
    err.println("==> WARNING: " + message);
    err.flush();
  }

  /** A passing state (on a terminal only: rewritten by the next one). */
  public synchronized void status(String message) {
    if (quiet || !terminal) {
      return;
    }
    String line = "  -> " + message;
    err.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
    err.flush();
    lastWidth = line.length();
  }

  /** Clears the passing state, so that what follows starts on a clean line. */
  public synchronized void finish() {
    clear();
    err.flush();
  }

  public boolean terminal() {
    return terminal;
  }

  private void clear() {
    if (lastWidth > 0) {
      err.print("\r" + " ".repeat(lastWidth) + "\r");
      lastWidth = 0;
    }
  }

  /** Bytes for people: 512 B, 1.5 KiB, 3.2 MiB. */
  public static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
  }
}

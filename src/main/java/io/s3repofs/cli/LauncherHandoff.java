package io.s3repofs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;

/**
 * A background mount in one JVM. The launchers (scripts/s3repofs, the one install.sh writes)
 * start a mount without {@code -f} themselves, in a session of its own with its output on a pipe
 * they read, and give it {@value #PROPERTY}: until the file system is mounted its messages (a
 * wrong key, a missing bucket, libfuse's reasons) reach the terminal through the launcher; once
 * it is mounted, this class points the process's standard output and error at {@code mount.log}
 * in the cache directory and writes {@link #READY} on the pipe, and the launcher exits 0. Without
 * the launcher (java -cp ... Main mount) {@link Daemon} still starts a second JVM, which cost
 * 0.7 s more until the mount answered (1.6-1.7 s against 0.9 s for {@code -f}, measured on two
 * cores).
 */
final class LauncherHandoff {

  /** The system property the launchers set on a background mount's JVM. */
  static final String PROPERTY = "s3repofs.launcher-background";
  /** The line the launchers wait for; any other line is the mount's and goes to their stderr. */
  static final String READY = "s3repofs: mounted in the background";

  private static final int O_WRONLY = 01;
  private static final int O_CREAT = 0100;
  private static final int O_APPEND = 02000;

  /** The three libc calls a hand-off needs (jnr-ffi, as FuseLoop binds libfuse). */
  public interface LibC {
    int open(String path, int flags, int mode);

    int dup(int fd);

    int dup2(int fd, int to);

    int close(int fd);

    long write(int fd, byte[] bytes, long count);
  }

  private LauncherHandoff() {}

  /** Whether a launcher started this process as a background mount. */
  static boolean requested() {
    return Boolean.getBoolean(PROPERTY);
  }

  /**
   * Sends standard output and error to {@code log} from now on and tells the launcher the mount
   * is up. A failure only costs the log: the launcher is told either way (a mount that serves is
   * a mount), and what the process writes later is lost once the launcher has gone.
   */
  static void handOff(Path log) {
    System.out.flush();
    System.err.flush();
    LibC libc;
    try {
      libc = LibraryLoader.create(LibC.class).failImmediately().load("c");
    } catch (LinkageError | RuntimeException e) {
      System.err.println("s3repofs: cannot send the mount's output to " + log + ": " + e.getMessage());
      System.out.println(READY);
      System.out.flush();
      return;
    }
    int pipe = libc.dup(1);
    if (pipe < 0) { // out of descriptors: the output stays on the pipe, the launcher's end
      System.out.println(READY);
      System.out.flush();
      return;
    }
    int file = -1;
    try {
      Files.createDirectories(log.getParent());
      file = libc.open(log.toString(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    } catch (IOException e) {
      // file stays -1: the output stays on the pipe
    }
    if (file >= 0) {
      libc.dup2(file, 1);
      libc.dup2(file, 2);
      libc.close(file);
    } else {
      System.err.println("s3repofs: cannot open " + log + "; the mount's later messages are lost");
    }
    byte[] ready = (READY + "\n").getBytes(StandardCharsets.UTF_8);
    libc.write(pipe, ready, ready.length); // the launcher may be gone (Ctrl-C): EPIPE, ignored
    libc.close(pipe);
  }
}

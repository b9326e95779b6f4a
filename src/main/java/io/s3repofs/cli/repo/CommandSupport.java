package io.s3repofs.cli.repo;

import io.s3repofs.pacman.RepoException;
import io.s3repofs.pacman.RepoListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What the repo subcommands share: exit codes, one-line error reporting (no stack traces for
 * user errors), and progress shown only on a terminal.
 */
final class CommandSupport {
  /** Success. */
  static final int OK = 0;
  /** The operation failed (bad package, locked or broken database, problems found). */
  static final int FAILURE = 1;
  /** Wrong usage (picocli's own code for parameter errors). */
  static final int USAGE = 2;

  private CommandSupport() {}

  /** Runs a command body, turning exceptions into one line on stderr and exit code 1. */
  static int run(CommandSpec spec, Callable<Integer> body) {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return body.call();
    } catch (picocli.CommandLine.ParameterException e) {
      throw e; // picocli reports it as a usage error (exit 2)
    } catch (io.s3repofs.cli.UsageException e) {
      err.println(prefix(spec) + e.getMessage());
      err.flush();
      return USAGE;
    } catch (io.s3repofs.store.StoreException e) {
      err.println(prefix(spec) + "error: " + e.getMessage());
    } catch (RepoException e) {
      err.println(prefix(spec) + "error: " + e.getMessage());
    } catch (NoSuchFileException e) {
      err.println(prefix(spec) + "error: no such file: " + e.getMessage());
    } catch (IOException e) {
      err.println(prefix(spec) + "error: " + e.getMessage());
    } catch (Exception e) {
      err.println(prefix(spec) + "internal error: " + e
          + " (set S3REPOFS_DEBUG=1 for the stack trace)");
      if (System.getenv("S3REPOFS_DEBUG") != null) {
        e.printStackTrace(err);
      }
    }
    err.flush();
    return FAILURE;
  }

  private static String prefix(CommandSpec spec) {
    return spec.qualifiedName() + ": ";
  }

  /**
     * A listener printing progress to stderr when a terminal is attached (and not quiet), and
     * warnings to stderr always (unless quiet).
     */
  static RepoListener listener(CommandSpec spec, boolean quiet) {
    PrintWriter err = spec.commandLine().getErr();
    boolean progress = !quiet && System.console() != null;
    return new RepoListener() {
      @Override
      public void info(String message) {
        if (progress) {
          err.println("==> " + message);
          err.flush();
        }
      }

      @Override
      public void warn(String message) {
        if (!quiet) {
          err.println("==> WARNING: " + message);
          err.flush();
        }
      }
    };
  }
}

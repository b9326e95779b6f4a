package io.s3repofs.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code s3repofs umount MOUNTPOINT}. */
@Command(
    name = "umount",
    aliases = "unmount",
    mixinStandardHelpOptions = true,
    description = {
        "Unmount and wait until the mount process has uploaded every file and exited.",
        "Prints what is still uploading while it waits (on a terminal)."})
final class UmountCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "MOUNTPOINT")
  Path mountPoint;

  @Override
  public Integer call() throws IOException, InterruptedException {
    long pid = Long.parseLong(StatusCommand.ask(mountPoint, "pid").strip());
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    Process fusermount = new ProcessBuilder("fusermount", "-u", mountPoint.toString())
        .redirectErrorStream(true).start();
    String output = new String(fusermount.getInputStream().readAllBytes()).strip();
    if (fusermount.waitFor() != 0) {
      throw new Failure("fusermount -u " + mountPoint + " failed: " + output);
    }
    if (process.isEmpty()) {
      return 0;
    }
    boolean terminal = System.console() != null;
    String lastStatus;
    while (process.get().isAlive()) {
      try {
        lastStatus = StatusCommand.ask(mountPoint, "status");
        if (terminal) {
          lastStatus.lines().filter(l -> l.startsWith("queued:") || l.startsWith("uploading:"))
              .forEach(l -> spec.commandLine().getErr().println("s3repofs: " + l));
        }
      } catch (Failure e) {
        // the control socket closes just before the process exits
      }
      try {
        process.get().onExit().get(1, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        // still uploading
      }
    }
    return 0;
  }
}

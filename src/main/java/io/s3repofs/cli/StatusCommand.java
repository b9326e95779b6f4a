package io.s3repofs.cli;

import io.s3repofs.daemon.ControlServer;
import io.s3repofs.daemon.ControlSocket;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code s3repofs status MOUNTPOINT}. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
        "Show what a mount holds that is not in the bucket yet.",
        "That is: files open with changes, files queued for upload (and when they are due),"
            + " the upload in progress, failures, and the S3 requests made."
            + " 'in bucket: yes' means switching off loses nothing."})
final class StatusCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "MOUNTPOINT")
  Path mountPoint;

  @Override
  public Integer call() throws IOException {
    spec.commandLine().getOut().print(ask(mountPoint, "status"));
    spec.commandLine().getOut().flush();
    return 0;
  }

  static String ask(Path mountPoint, String request) throws IOException {
    Path socket = ControlSocket.pathFor(mountPoint);
    try {
      return ControlServer.ask(socket, request);
    } catch (IOException e) {
      throw new Failure("no s3repofs mount at " + mountPoint.toAbsolutePath().normalize());
    }
  }
}

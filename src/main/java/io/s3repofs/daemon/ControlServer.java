package io.s3repofs.daemon;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Answers {@code s3repofs status} and {@code s3repofs umount} over a Unix socket: a request is
 * one line ({@code status} or {@code pid}), the answer is text, then the connection closes.
 */
public final class ControlServer implements AutoCloseable {

  private final Path path;
  private final ServerSocketChannel server;
  private final Thread thread;

  public ControlServer(Path path, Supplier<String> status) throws IOException {
    this.path = path;
    Files.deleteIfExists(path);
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path));
    this.thread = new Thread(() -> serve(status), "s3repofs-control");
    thread.setDaemon(true);
    thread.start();
  }

  private void serve(Supplier<String> status) {
    while (server.isOpen()) {
      try (SocketChannel client = server.accept()) {
        String request = new String(Channels.newInputStream(client).readNBytes(64), StandardCharsets.UTF_8)
            .lines().findFirst().orElse("").strip();
        String answer = switch (request) {
          case "status" -> status.get();
          case "pid" -> Long.toString(ProcessHandle.current().pid());
          default -> "unknown request\n";
        };
        client.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)));
      } catch (IOException e) {
        if (!server.isOpen()) {
          return;
        }
      }
    }
  }

  /** Sends one request to the mount at {@code path}; throws IOException when none answers. */
  public static String ask(Path path, String request) throws IOException {
    try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
      channel.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
      channel.shutdownOutput();
      return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    Files.deleteIfExists(path);
  }
}

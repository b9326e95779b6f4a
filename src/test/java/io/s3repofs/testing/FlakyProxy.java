package io.s3repofs.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy in front of an S3 server that can drop every connection on demand: a real network
 * fault, for tests of retries. While dropping, new connections are closed at once and open ones
 * are cut.
 */
public final class FlakyProxy implements AutoCloseable {

  private final ServerSocket server;
  private final URI target;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean dropping;
  /** New connections still to be dropped after {@link #dropNextConnections}. */
  private final java.util.concurrent.atomic.AtomicInteger toDrop = new java.util.concurrent.atomic.AtomicInteger();

  public FlakyProxy(URI target) throws IOException {
    this.target = target;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "flaky-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  public void dropConnections(boolean drop) {
    dropping = drop;
    if (drop) {
      for (Socket s : open) {
        closeQuietly(s);
      }
    }
  }

  /** Cuts the open connections and drops the next {@code count} new ones; later ones pass. */
  public void dropNextConnections(int count) {
    toDrop.set(count);
    for (Socket s : open) {
      closeQuietly(s);
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        if (dropping || toDrop.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          closeQuietly(client);
          continue;
        }
        Socket upstream = new Socket(target.getHost(), target.getPort());
        open.add(client);
        open.add(upstream);
        pipe(client, upstream);
        pipe(upstream, client);
      } catch (IOException e) {
        // closed, or one connection failed: keep accepting
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        byte[] buffer = new byte[65536];
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
        }
      } catch (IOException ignored) {
        // cut
      } finally {
        closeQuietly(from);
        closeQuietly(to);
        open.remove(from);
        open.remove(to);
      }
    }, "flaky-proxy-pipe");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    dropConnections(true);
  }
}

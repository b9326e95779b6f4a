package io.s3repofs.locals3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 that makes a loopback S3 server look as far away as a real one: every
 * request/response turn of a connection pays a fixed latency.
 *
 * <p>Each connection has two pumps (client to server, server to client). When a pump reads bytes
 * and the last bytes of that connection went the other way (or none went yet), a new turn begins:
 * it waits the latency before forwarding them. Bytes that follow in the same direction (the rest of
 * a body, however many reads it takes) pass at once. So an HTTP exchange (request, response) costs
 * the latency once per direction change, a keep-alive connection pays it again on every request,
 * and a PUT that waits for "100 Continue" pays it for that extra turn too, as it would over a
 * network. Bandwidth is not limited and bytes pass unchanged.
 *
 * <p>{@code latency} is the round-trip time: half of it is added when the request turn starts, half
 * when the response turn starts, so one HTTP round trip costs at least the full latency.
 */
public final class LatencyProxy implements AutoCloseable {

  private final ServerSocket server;
  private final String targetHost;
  private final int targetPort;
  private final long requestDelayNanos;
  private final long responseDelayNanos;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong turns = new AtomicLong();
  private final AtomicInteger connections = new AtomicInteger();

  /**
   * Starts a proxy for {@code target} (an http://host:port URI) on a free loopback port.
   *
   * @param latency added per request/response round trip (0 forwards without delay)
   */
  public LatencyProxy(URI target, Duration latency) throws IOException {
    this(target, latency, 0);
  }

  /** As {@link #LatencyProxy(URI, Duration)}, listening on {@code port} (0: any free one). */
  public LatencyProxy(URI target, Duration latency, int port) throws IOException {
    if (latency.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative: " + latency);
    }
    this.targetHost = target.getHost();
    this.targetPort = target.getPort();
    long total = latency.toNanos();
    this.requestDelayNanos = total / 2;
    this.responseDelayNanos = total - total / 2;
    this.server = new ServerSocket(port, 200, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "latency-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Parses a latency such as {@code 20ms}, {@code 0.5s}, {@code 20} (milliseconds). */
  public static Duration parseLatency(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofNanos(Math.round(Double.parseDouble(t.substring(0, t.length() - 2)) * 1e6));
      }
      if (t.endsWith("s")) {
        return Duration.ofNanos(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1e9));
      }
      return Duration.ofNanos(Math.round(Double.parseDouble(t) * 1e6));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a latency (e.g. 20ms, 0.1s): " + text);
    }
  }

  /** The proxy's endpoint: use it instead of the server's. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Turns delayed so far (each direction change of each connection counts one). */
  public long turns() {
    return turns.get();
  }

  /** Connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : open) {
      closeQuietly(s);
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      connections.incrementAndGet();
      Socket upstream;
      try {
        upstream = new Socket(targetHost, targetPort);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
      } catch (IOException e) {
        closeQuietly(client);
        continue;
      }
      open.add(client);
      open.add(upstream);
      Connection c = new Connection(client, upstream);
      start(() -> c.pump(client, upstream, Connection.REQUEST, requestDelayNanos), "latency-proxy-up");
      start(() -> c.pump(upstream, client, Connection.RESPONSE, responseDelayNanos), "latency-proxy-down");
    }
  }

  private static void start(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  /** One proxied connection: which way the last bytes went decides whether a read starts a turn. */
  private final class Connection {
    static final int NONE = 0;
    static final int REQUEST = 1;
    static final int RESPONSE = 2;

    private final Socket client;
    private final Socket upstream;
    /** Direction of the last bytes read on this connection; guarded by this. */
    private int lastDirection = NONE;
    private final AtomicInteger pumpsLeft = new AtomicInteger(2);

    Connection(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    private synchronized boolean startsTurn(int direction) {
      boolean turn = lastDirection != direction;
      lastDirection = direction;
      return turn;
    }

    void pump(Socket from, Socket to, int direction, long delayNanos) {
      byte[] buffer = new byte[256 * 1024];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buffer)) >= 0) {
          if (n == 0) {
            continue;
          }
          if (startsTurn(direction)) {
            turns.incrementAndGet();
            sleepNanos(delayNanos);
          }
          out.write(buffer, 0, n);
          out.flush();
        }
        // half-close: the other side sees the end of this direction, the other pump goes on
        to.shutdownOutput();
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(upstream);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        if (pumpsLeft.decrementAndGet() == 0) {
          closeQuietly(client);
          closeQuietly(upstream);
          open.remove(client);
          open.remove(upstream);
        }
      }
    }
  }

  private static void sleepNanos(long nanos) throws InterruptedException {
    if (nanos <= 0) {
      return;
    }
    long deadline = System.nanoTime() + nanos;
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}

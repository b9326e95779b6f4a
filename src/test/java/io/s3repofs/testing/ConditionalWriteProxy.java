package io.s3repofs.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An HTTP proxy in front of S3Proxy that makes it honour conditional writes as AWS S3 does:
 * a PUT with {@code If-None-Match: *} on an existing key, or with {@code If-Match} whose entity
 * tag is not the key's, is answered 412 without reaching the server; other conditional PUTs are
 * checked and forwarded under one lock, so check and write are atomic with respect to each other.
 * The current entity tag is read with an anonymous HEAD, so objects must be public-read. Each
 * connection carries one request ({@code Connection: close}), so every request is inspected.
 * S3Proxy ignores the headers and accepts the forwarded request's signature.
 */
public final class ConditionalWriteProxy implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final ServerSocket server;
  private final URI target;
  private final ReentrantLock conditional = new ReentrantLock();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicInteger honoured = new AtomicInteger();

  public ConditionalWriteProxy(URI target) throws IOException {
    this.target = target;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "conditional-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Conditional PUTs answered 412 so far. */
  public int refused() {
    return refused.get();
  }

  /** Conditional PUTs whose condition held, forwarded so far. */
  public int honoured() {
    return honoured.get();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Thread t = new Thread(() -> serve(client), "conditional-proxy-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        // closed
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      InputStream in = new BufferedInputStream(client.getInputStream());
      String head = readHead(in);
      if (head == null) {
        return;
      }
      String[] lines = head.split("\r\n");
      String[] requestLine = lines[0].split(" ");
      Map<String, String> headers = new LinkedHashMap<>();
      StringBuilder forwarded = new StringBuilder(lines[0]).append("\r\n");
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
        headers.put(name, lines[i].substring(colon + 1).trim());
        if (!name.equals("connection")) {
          forwarded.append(lines[i]).append("\r\n");
        }
      }
      forwarded.append("Connection: close\r\n\r\n");
      boolean isConditional = requestLine[0].equals("PUT")
          && (headers.containsKey("if-match") || headers.containsKey("if-none-match"));
      if (!isConditional) {
        forward(client, in, forwarded.toString());
        return;
      }
      conditional.lock();
      try {
        String etag = currentEtag(requestLine[1]);
        boolean holds = headers.containsKey("if-none-match")
            ? etag == null : etag != null && unquote(headers.get("if-match")).equals(etag);
        if (!holds) {
          refused.incrementAndGet();
          String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>PreconditionFailed"
              + "</Code><Message>At least one of the pre-conditions you specified did not hold"
              + "</Message></Error>";
          client.getOutputStream().write(("HTTP/1.1 412 Precondition Failed\r\n"
              + "Content-Type: application/xml\r\nContent-Length: " + body.length()
              + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
          client.getOutputStream().flush();
          return;
        }
        honoured.incrementAndGet();
        forward(client, in, forwarded.toString());
      } finally {
        conditional.unlock();
      }
    } catch (IOException | InterruptedException e) {
      // a client gone away: nothing to do
    }
  }

  /** Sends the request head and pipes both ways until the server closes. */
  private void forward(Socket client, InputStream in, String head) throws IOException {
    try (Socket upstream = new Socket(target.getHost(), target.getPort())) {
      OutputStream up = upstream.getOutputStream();
      up.write(head.getBytes(StandardCharsets.ISO_8859_1));
      up.flush();
      Thread body = new Thread(() -> {
        try {
          in.transferTo(up);
        } catch (IOException ignored) {
          // done
        }
      }, "conditional-proxy-body");
      body.setDaemon(true);
      body.start();
      upstream.getInputStream().transferTo(client.getOutputStream());
      client.getOutputStream().flush();
    }
  }

  private String currentEtag(String path) throws IOException, InterruptedException {
    int query = path.indexOf('?');
    URI uri = URI.create(target + (query < 0 ? path : path.substring(0, query)));
    HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(uri)
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    if (r.statusCode() == 404) {
      return null;
    }
    if (r.statusCode() != 200) {
      throw new IOException("HEAD " + uri + ": " + r.statusCode() + " (objects must be public-read)");
    }
    return r.headers().firstValue("ETag").map(ConditionalWriteProxy::unquote).orElse(null);
  }

  private static String unquote(String etag) {
    return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")
        ? etag.substring(1, etag.length() - 1) : etag;
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
          ? state + 1 : (b == '\r' ? 1 : 0);
      if (state == 4) {
        String s = head.toString(StandardCharsets.ISO_8859_1);
        return s.substring(0, s.length() - 4);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}

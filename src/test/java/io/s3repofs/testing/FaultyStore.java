package io.s3repofs.testing;

import io.s3repofs.store.BucketStore;
import io.s3repofs.store.DirectoryPage;
import io.s3repofs.store.ListedObject;
import io.s3repofs.store.ObjectHead;
import io.s3repofs.store.RequestCounter;
import io.s3repofs.store.StoreException;
import io.s3repofs.store.StoreSettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A {@link BucketStore} between the filesystem core and a real S3 server that injects faults, as
 * mountpoint-s3's failure-injecting client does: latency per request, errors by kind (a random
 * share, or the next N matching requests), a pause at a chosen request until the test releases it,
 * and truncated bodies on reads. Everything else goes to the real server.
 */
public final class FaultyStore implements BucketStore {

  /** One request as the core made it: the operation ("PUT", "HEAD", "COPY", ...) and its key. */
  public record Request(String op, String key) {}

  /** A pause: requests matching it wait at the door until {@link #release}. */
  public static final class Gate {
    private final Predicate<Request> matching;
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger passed = new AtomicInteger();

    private Gate(Predicate<Request> matching) {
      this.matching = matching;
    }

    /** Waits until a matching request is held here; false after the timeout. */
    public boolean awaitReached(Duration timeout) throws InterruptedException {
      return reached.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void release() {
      released.countDown();
    }

    /** How many requests this gate has held. */
    public int held() {
      return passed.get();
    }
  }

  private final BucketStore real;
  private final Random random;
  private volatile Duration latency = Duration.ZERO;
  private volatile double errorRate;
  private volatile Predicate<Request> errorsOn = r -> false;
  private final AtomicInteger failNext = new AtomicInteger();
  private volatile Predicate<Request> failNextMatching = r -> false;
  private volatile StoreException.Kind failKind = StoreException.Kind.OTHER;
  private volatile boolean truncateReads;
  private final List<Gate> gates = new CopyOnWriteArrayList<>();
  private final List<Request> log = new CopyOnWriteArrayList<>();
  private final AtomicInteger injected = new AtomicInteger();

  public FaultyStore(BucketStore real, long seed) {
    this.real = real;
    this.random = new Random(seed);
  }

  /** Adds this much latency to every request. */
  public FaultyStore latency(Duration perRequest) {
    this.latency = perRequest;
    return this;
  }

  /** Makes a random share of matching requests fail with a 500-like error (before reaching the server). */
  public FaultyStore errors(double rate, Predicate<Request> matching) {
    this.errorRate = rate;
    this.errorsOn = matching;
    return this;
  }

  /** Makes the next {@code count} matching requests fail with an error of this kind. */
  public FaultyStore failNext(int count, StoreException.Kind kind, Predicate<Request> matching) {
    this.failKind = kind;
    this.failNextMatching = matching;
    this.failNext.set(count);
    return this;
  }

  /** Ranged reads return fewer bytes than asked for, as a dropped connection does. */
  public FaultyStore truncateReads(boolean on) {
    this.truncateReads = on;
    return this;
  }

  /** Holds matching requests (before they reach the server) until the gate is released. */
  public Gate pause(Predicate<Request> matching) {
    Gate gate = new Gate(matching);
    gates.add(gate);
    return gate;
  }

  public static Predicate<Request> op(String op, String key) {
    return r -> r.op().equals(op) && r.key().equals(key);
  }

  /** Requests seen, in order. */
  public List<Request> seen() {
    return List.copyOf(log);
  }

  /** Every request in the order made, with its thread, source (of a COPY) and outcome, for debugging. */
  private final List<String> trace = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

  /** The lines of {@link #trace} that contain one of {@code parts}. */
  public List<String> traced(List<String> parts) {
    synchronized (trace) {
      return trace.stream().filter(t -> parts.stream().anyMatch(t::contains)).toList();
    }
  }

  /** Adds a line to the trace (what a test did, between the requests it caused). */
  public void note(String line) {
    trace.add(Thread.currentThread().getName() + " " + line);
  }

  public int injectedFaults() {
    return injected.get();
  }

  private <T> T call(String op, String key, Supplier<T> request) {
    return call(op, key, "", request);
  }

  private <T> T call(String op, String key, String detail, Supplier<T> request) {
    T result = call0(op, key, request, detail);
    trace.add(Thread.currentThread().getName() + " " + op + " [" + key + "]" + detail + " ok");
    return result;
  }

  private final Map<String, AtomicInteger> inFlight = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> maxInFlight = new java.util.concurrent.ConcurrentHashMap<>();

  /** The most requests of one kind ("PUT", "HEAD", ...) that were in flight at once. */
  public int maxInFlight(String op) {
    AtomicInteger max = maxInFlight.get(op);
    return max == null ? 0 : max.get();
  }

  private <T> T call0(String op, String key, Supplier<T> request, String detail) {
    int now = inFlight.computeIfAbsent(op, o -> new AtomicInteger()).incrementAndGet();
    maxInFlight.computeIfAbsent(op, o -> new AtomicInteger()).accumulateAndGet(now, Math::max);
    try {
      return call1(op, key, request);
    } catch (RuntimeException e) {
      trace.add(Thread.currentThread().getName() + " " + op + " [" + key + "]" + detail + " failed");
      throw e;
    } finally {
      inFlight.get(op).decrementAndGet();
    }
  }

  private <T> T call1(String op, String key, Supplier<T> request) {
    Request r = new Request(op, key);
    log.add(r);
    for (Gate g : gates) {
      if (g.matching.test(r) && g.released.getCount() > 0) {
        g.passed.incrementAndGet();
        g.reached.countDown();
        try {
          g.released.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StoreException(StoreException.Kind.OTHER, "interrupted", e);
        }
      }
    }
    Duration delay = latency;
    if (!delay.isZero()) {
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (failNextMatching.test(r) && failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      injected.incrementAndGet();
      throw new StoreException(failKind, op + " " + key + ": injected " + failKind, null);
    }
    boolean fail;
    synchronized (random) {
      fail = errorRate > 0 && errorsOn.test(r) && random.nextDouble() < errorRate;
    }
    if (fail) {
      injected.incrementAndGet();
      throw new StoreException(StoreException.Kind.OTHER, op + " " + key + ": injected 500 Internal Error", null);
    }
    return request.get();
  }

  @Override
  public StoreSettings settings() {
    return real.settings();
  }

  @Override
  public RequestCounter requests() {
    return real.requests();
  }

  @Override
  public Optional<ObjectHead> head(String key) {
    return call("HEAD", key, () -> real.head(key));
  }

  @Override
  public DirectoryPage list(String dirKey) {
    return call("LIST", dirKey, () -> real.list(dirKey));
  }

  @Override
  public List<ListedObject> listRecursive(String keyPrefix) {
    return call("LIST", keyPrefix, () -> real.listRecursive(keyPrefix));
  }

  @Override
  public InputStream read(String key, long from, long toInclusive) {
    return call("GET", key, " bytes=" + from + "-" + toInclusive, () -> {
      InputStream in = real.read(key, from, toInclusive);
      if (!truncateReads || toInclusive - from < 2) {
        return in;
      }
      try (in) {
        byte[] part = in.readNBytes((int) Math.min(Integer.MAX_VALUE, (toInclusive - from + 1) / 2));
        return new ByteArrayInputStream(part);
      } catch (IOException e) {
        throw new StoreException(StoreException.Kind.OTHER, "GET " + key + ": " + e.getMessage(), e);
      }
    });
  }

  @Override
  public byte[] readAll(String key) {
    return call("GET", key, () -> real.readAll(key));
  }

  @Override
  public String putBytes(String key, byte[] body, Map<String, String> metadata) {
    return call("PUT", key, () -> real.putBytes(key, body, metadata));
  }

  @Override
  public String putFile(String key, Path file, long size, Map<String, String> metadata) {
    return call("PUT", key, () -> real.putFile(key, file, size, metadata));
  }

  /** Requests of a multipart upload go through the faults as "CREATE MULTIPART", "PART", "COMPLETE MULTIPART". */
  @Override
  public io.s3repofs.store.PartUpload startMultipart(String key, Map<String, String> metadata) {
    io.s3repofs.store.PartUpload upload = call("CREATE MULTIPART", key, () -> real.startMultipart(key, metadata));
    return new io.s3repofs.store.PartUpload() {
      @Override
      public String key() {
        return key;
      }

      @Override
      public String sendPart(int number, Path file, long offset, long length) {
        return call("PART", key, " " + number, () -> upload.sendPart(number, file, offset, length));
      }

      @Override
      public String complete(java.util.SortedMap<Integer, String> parts) {
        return call("COMPLETE MULTIPART", key, " " + parts.size() + " parts", () -> upload.complete(parts));
      }

      @Override
      public void abort() {
        log.add(new Request("ABORT MULTIPART", key));
        upload.abort();
      }
    };
  }

  @Override
  public String copy(String sourceKey, String targetKey, Map<String, String> metadata) {
    return call("COPY", targetKey, " from [" + sourceKey + "]", () -> real.copy(sourceKey, targetKey, metadata));
  }

  @Override
  public void delete(String key) {
    call("DELETE", key, () -> {
      real.delete(key);
      return null;
    });
  }
}

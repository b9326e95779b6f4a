package io.s3repofs.fs;

import io.s3repofs.cache.CacheSettings;
import io.s3repofs.cache.CachedBucket;
import io.s3repofs.cache.ContentFiles;
import io.s3repofs.cache.Journal;
import io.s3repofs.cache.WritebackQueue;
import io.s3repofs.store.ObjectStore;
import io.s3repofs.testing.FaultyStore;
import io.s3repofs.testing.S3TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A filesystem core over a fresh bucket of the in-process S3 server, without FUSE. */
final class CoreHarness implements AutoCloseable {

  final String bucketName;
  final ObjectStore store;
  /** Between the core and the real server: faults on demand (none by default). */
  final FaultyStore faults;
  final FileSystemCore fs;
  final Path cacheDir;

  CoreHarness(String bucketName, Path cacheDir, Duration writeBackDelay, String acl) throws Exception {
    this(bucketName, cacheDir, writeBackDelay, acl, true);
  }

  final Journal journal;

  CoreHarness(String bucketName, Path cacheDir, Duration writeBackDelay, String acl, boolean durable) throws Exception {
    this.bucketName = bucketName;
    this.cacheDir = cacheDir;
    this.store = S3TestServer.store(bucketName, acl);
    this.faults = new FaultyStore(store, bucketName.hashCode());
    CacheSettings cache = new CacheSettings(cacheDir, Duration.ofMinutes(15), 10_000, 64L << 20, writeBackDelay);
    this.fs = new FileSystemCore(new CachedBucket(faults, cache),
        new ContentFiles(cacheDir.resolve("data"), cache.cleanBytesLimit()),
        journal = new Journal(cacheDir.resolve("journal"), durable), new WritebackQueue(writeBackDelay),
        new FsSettings(1000, 1000, -1, -1, -1, -1, false, FsSettings.SymlinkMode.COPY, true));
  }

  /** A second core over the same bucket with a fresh cache: what a new mount would see. */
  static CoreHarness reopen(CoreHarness of, Path cacheDir) throws Exception {
    return new CoreHarness(of.bucketName, cacheDir, Duration.ofSeconds(30), "public-read");
  }

  static CoreHarness create(Path cacheDir, Duration delay) throws Exception {
    return new CoreHarness(S3TestServer.newBucket(), cacheDir, delay, "public-read");
  }

  /** Creates (or truncates) a file with the given text and closes it. */
  void writeFile(String path, String text) throws FsException {
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    long h;
    try {
      h = fs.create(path, 0644, FileSystemCore.O_EXCL | 1, 1000, 1000);
    } catch (FsException e) {
      if (e.errno() != Errno.EEXIST) {
        throw e;
      }
      h = fs.open(path, 1 | FileSystemCore.O_TRUNC);
    }
    fs.write(h, 0, data, data.length);
    fs.release(h);
  }

  String readFile(String path) throws FsException {
    long h = fs.open(path, 0);
    try {
      byte[] buffer = new byte[1 << 20];
      int n = fs.read(h, 0, buffer, buffer.length);
      return new String(buffer, 0, n, StandardCharsets.UTF_8);
    } finally {
      fs.release(h);
    }
  }

  void drain() throws InterruptedException {
    int left = fs.drain(Duration.ofSeconds(60));
    if (left != 0) {
      throw new AssertionError(left + " uploads left after drain: " + fs.writebackStatus());
    }
  }

  /** Requests the server saw for this bucket, in order, as "KIND key". */
  List<String> requests() {
    String prefix = "/" + bucketName;
    return S3TestServer.get().requestLog().stream()
        .filter(r -> r.substring(r.indexOf(' ') + 1).startsWith(prefix))
        .map(r -> r.substring(0, r.indexOf(' ') + 1)
            + r.substring(r.indexOf(' ') + 1 + prefix.length()).replaceFirst("^/", ""))
        .toList();
  }

  @Override
  public void close() {
    fs.close();
    store.close();
  }
}

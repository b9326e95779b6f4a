package io.s3repofs.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.s3repofs.testing.FaultyStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Randomized model test of the core: threads run seeded random sequences of create, write at
 * offsets, truncate, rename (files and directories), unlink, symlink, chmod, utimens, mkdir,
 * rmdir, fsync and reopen — each thread in a directory of its own, so a plain sequential model per
 * thread says what must result — while uploads run with no delay, the store adds latency, and a
 * share of uploads fail and are retried. After quiescing, after the drain, and through a fresh
 * core over the same bucket, the tree, bytes, modes and link targets equal the model's.
 * S3REPOFS_MODEL_OPS gives the operation count (1,500 by default; the long run uses 100,000+),
 * S3REPOFS_MODEL_SEED the seed (printed on failure), S3REPOFS_MODEL_TRACE=PART[,PART] the
 * requests and operations to print on a failure.
 */
class ModelTest {

  @TempDir Path tmp;

  /** What a path holds in the model: a file (bytes, mode), a directory, or a symlink. */
  private record Entry(char type, byte[] bytes, int mode, String target) {
    static Entry file(byte[] bytes, int mode) {
      return new Entry('f', bytes, mode, null);
    }
  }

  @Test
  void randomOperationsMatchTheModel() throws Exception {
    // A short run in every build; the long run (S3REPOFS_MODEL_OPS=100000, README) on demand.
    int ops = Integer.parseInt(System.getenv().getOrDefault("S3REPOFS_MODEL_OPS", "1500"));
    long seed = Long.parseLong(System.getenv().getOrDefault("S3REPOFS_MODEL_SEED", Long.toString(System.nanoTime())));
    int threads = 4;
    try (CoreHarness h = CoreHarness.create(tmp.resolve("cache"), Duration.ZERO)) {
      h.faults.latency(Duration.ofMillis(1))
          .errors(0.03, r -> r.op().equals("PUT") && !r.key().endsWith("/"));
      List<Map<String, Entry>> models = new ArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Map<String, Entry> model = new TreeMap<>();
        models.add(model);
        String dir = "/t" + t;
        h.fs.mkdir(dir, 0755, 1000, 1000);
        model.put(dir, new Entry('d', null, 0755, null));
        Random rng = new Random(seed + t);
        done.add(pool.submit(() -> {
          for (int i = 0; i < ops / threads; i++) {
            step(h, model, dir, rng, seed);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      pool.shutdown();
      Map<String, Entry> expected = new TreeMap<>();
      models.forEach(expected::putAll);
      assertEquals(describe(expected), describe(tree(h.fs, "/")), "seed " + seed + ": after quiescing"
          + System.getenv().getOrDefault("S3REPOFS_MODEL_TRACE", "").transform(t -> t.isEmpty() ? ""
              : "\n" + h.faults.seen().stream().filter(r -> r.key().contains(t)).toList()));
      h.drain();
      assertEquals(describe(expected), describe(tree(h.fs, "/")), "seed " + seed + ": after the drain" + traceOf(h));
      try (CoreHarness fresh = CoreHarness.reopen(h, tmp.resolve("cache2"))) {
        assertEquals(describe(expected), describe(tree(fresh.fs, "/")), "seed " + seed + ": through a fresh mount");
      }
      System.out.printf("model test (seed %d): %d operations in %d threads, %d injected upload failures, %d paths%n",
          seed, ops, threads, h.faults.injectedFaults(), expected.size());
    }
  }

  private static final String[] NAMES = {"a", "b", "c", "d.db.tar.gz", "e+f", ".tmp.g"};

  private static final Map<String, List<String>> HISTORY = new java.util.concurrent.ConcurrentHashMap<>();

  private static void step(CoreHarness h, Map<String, Entry> model, String dir, Random rng, long seed) throws Exception {
    List<String> history = HISTORY.computeIfAbsent(dir, d -> java.util.Collections.synchronizedList(new ArrayList<>()));
    String sub = rng.nextInt(4) == 0 ? dir + "/sub" : dir;
    String path = sub + "/" + NAMES[rng.nextInt(NAMES.length)];
    String other = (rng.nextBoolean() ? dir : dir + "/sub") + "/" + NAMES[rng.nextInt(NAMES.length)];
    Entry e = model.get(path);
    boolean subExists = model.containsKey(dir + "/sub");
    int choice = rng.nextInt(13);
    history.add(choice + " " + path + " " + other + " model=" + (e == null ? "-" : e.type()));
    h.faults.note("op " + choice + " [" + path + "] [" + other + "] model=" + (e == null ? "-" : e.type()));
    try {
      switch (choice) {
        case 0, 1 -> { // create or rewrite (O_TRUNC), write at offsets, close
          if (!model.containsKey(sub) || e != null && e.type() != 'f') {
            return;
          }
          byte[] bytes = randomBytes(rng, rng.nextInt(3) == 0 ? 70_000 : 300);
          long fh = e == null ? h.fs.create(path, 0644, 1, 1000, 1000) : h.fs.open(path, 1 | FileSystemCore.O_TRUNC);
          int half = bytes.length / 2;
          h.fs.write(fh, half, Arrays.copyOfRange(bytes, half, bytes.length), bytes.length - half);
          h.fs.write(fh, 0, bytes, half);
          if (rng.nextInt(4) == 0) {
            try {
              h.fs.fsync(fh);
            } catch (FsException fsyncFailed) {
              if (fsyncFailed.errno() != Errno.EIO) {
                throw fsyncFailed;
              }
              // fsync told of a failed upload: the bytes are written and stay queued (the model holds them)
            }
          }
          h.fs.release(fh);
          model.put(path, Entry.file(bytes, e == null ? 0644 : e.mode()));
        }
        case 2 -> { // write at an offset of an existing file, possibly with a second handle open
          if (e == null || e.type() != 'f') {
            return;
          }
          long fh = h.fs.open(path, 1);
          long second = rng.nextBoolean() ? h.fs.open(path, 0) : -1;
          byte[] patch = randomBytes(rng, 1 + rng.nextInt(100));
          int offset = rng.nextInt(e.bytes().length + 10);
          h.fs.write(fh, offset, patch, patch.length);
          byte[] now = Arrays.copyOf(e.bytes(), Math.max(e.bytes().length, offset + patch.length));
          System.arraycopy(patch, 0, now, offset, patch.length);
          if (second >= 0) {
            byte[] seen = new byte[now.length + 10];
            int n = h.fs.read(second, 0, seen, seen.length);
            assertEquals(now.length, n, "seed " + seed + ": a second handle sees the write");
            h.fs.release(second);
          }
          h.fs.release(fh);
          model.put(path, Entry.file(now, e.mode()));
        }
        case 3 -> { // truncate
          if (e == null || e.type() != 'f') {
            return;
          }
          int size = rng.nextInt(e.bytes().length + 20);
          h.fs.truncate(path, size);
          model.put(path, Entry.file(Arrays.copyOf(e.bytes(), size), e.mode()));
        }
        case 4, 5 -> { // rename a file or link over another name (or to a new one)
          Entry target = model.get(other);
          if (e == null || e.type() == 'd' || !model.containsKey(KeyPaths.parent(other.substring(1)).isEmpty() ? "/" : "/" + KeyPaths.parent(other.substring(1)))
              || target != null && target.type() == 'd' || path.equals(other)) {
            return;
          }
          h.fs.rename(path, other);
          model.remove(path);
          model.put(other, e);
        }
        case 6 -> { // unlink
          if (e == null || e.type() == 'd') {
            return;
          }
          h.fs.unlink(path);
          model.remove(path);
        }
        case 7 -> { // symlink to a sibling name
          if (e != null || !model.containsKey(sub)) {
            return;
          }
          String target = NAMES[rng.nextInt(NAMES.length)];
          h.fs.symlink(target, path, 1000, 1000);
          model.put(path, new Entry('l', null, 0777, target));
        }
        case 8 -> { // chmod
          if (e == null || e.type() != 'f') {
            return;
          }
          int mode = rng.nextBoolean() ? 0600 : 0640;
          h.fs.chmod(path, mode);
          model.put(path, Entry.file(e.bytes(), mode));
        }
        case 9 -> { // utimens (mtime is not compared: only that nothing breaks)
          if (e == null || e.type() != 'f') {
            return;
          }
          h.fs.utimens(path, -1, 1_000_000_000L * rng.nextInt(1_000_000));
        }
        case 10 -> { // mkdir or rmdir of the sub directory
          String s = dir + "/sub";
          if (!subExists) {
            h.fs.mkdir(s, 0755, 1000, 1000);
            model.put(s, new Entry('d', null, 0755, null));
          } else if (model.keySet().stream().noneMatch(k -> k.startsWith(s + "/"))) {
            h.fs.rmdir(s);
            model.remove(s);
          }
        }
        case 11 -> { // rename the sub directory away and back (a directory rename each way)
          String s = dir + "/sub";
          String moved = dir + "/moved";
          if (!subExists || model.containsKey(moved)) {
            return;
          }
          h.fs.rename(s, moved);
          h.fs.rename(moved, s);
        }
        default -> { // read back and compare with the model
          if (e == null || e.type() != 'f') {
            return;
          }
          byte[] buffer = new byte[e.bytes().length + 10];
          long fh = h.fs.open(path, 0);
          int n = h.fs.read(fh, 0, buffer, buffer.length);
          h.fs.release(fh);
          assertEquals(describe(e.bytes()), describe(Arrays.copyOf(buffer, Math.max(0, n))), "seed " + seed + ": read " + path);
        }
      }
    } catch (org.opentest4j.AssertionFailedError ex) {
      throw new AssertionError(ex.getMessage() + "\nhistory: " + history.subList(Math.max(0, history.size() - 60), history.size()), ex);
    } catch (FsException ex) {
      throw new AssertionError("seed " + seed + ": op " + choice + " on " + path + " -> " + other + ": " + ex.getMessage()
          + "\nhistory: " + history.subList(Math.max(0, history.size() - 60), history.size()), ex);
    }
  }

  /** With S3REPOFS_MODEL_TRACE=PART: the requests whose key contains PART, and the threads' histories. */
  private static String traceOf(CoreHarness h) {
    String part = System.getenv().getOrDefault("S3REPOFS_MODEL_TRACE", "");
    if (part.isEmpty()) {
      return "";
    }
    StringBuilder s = new StringBuilder("\nrequests:\n");
    h.faults.traced(List.of(part.split(","))).forEach(t -> s.append("  ").append(t).append('\n'));
    return s.toString();
  }

  private static byte[] randomBytes(Random rng, int n) {
    byte[] b = new byte[n];
    rng.nextBytes(b);
    return b;
  }

  /** Everything below a directory, as the filesystem shows it. */
  private static Map<String, Entry> tree(FileSystemCore fs, String dir) throws Exception {
    Map<String, Entry> result = new TreeMap<>();
    for (String name : fs.readdir(dir)) {
      String path = dir.equals("/") ? "/" + name : dir + "/" + name;
      FileAttributes a = fs.getattr(path);
      int type = a.mode() & 0170000;
      if (type == 0040000) {
        result.put(path, new Entry('d', null, 0755, null));
        result.putAll(tree(fs, path));
      } else if (type == 0120000) {
        result.put(path, new Entry('l', null, 0777, fs.readlink(path)));
      } else {
        byte[] buffer = new byte[(int) a.size() + 10];
        long fh = fs.open(path, 0);
        int n = fs.read(fh, 0, buffer, buffer.length);
        fs.release(fh);
        result.put(path, Entry.file(Arrays.copyOf(buffer, Math.max(0, n)), a.mode() & 07777));
      }
    }
    return result;
  }

  private static String describe(Map<String, Entry> tree) {
    StringBuilder s = new StringBuilder();
    tree.forEach((p, e) -> s.append(p).append(' ').append(e.type()).append(' ')
        .append(e.type() == 'f' ? Integer.toOctalString(e.mode()) + " " + describe(e.bytes()) : e.type() == 'l' ? e.target() : "")
        .append('\n'));
    return s.toString();
  }

  private static String describe(byte[] bytes) {
    return bytes.length + " bytes #" + Arrays.hashCode(bytes);
  }
}

package io.s3repofs.bench;

import io.s3repofs.locals3.LatencyProxy;
import io.s3repofs.locals3.LocalS3Server;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * The benchmark: s3fs, rclone mount (--vfs-cache-mode writes) and s3repofs side by side on one
 * local S3 server (S3Proxy in this process, which counts every request it serves), each workload
 * on a fresh bucket, once straight to the server and once through a {@link LatencyProxy} that adds
 * a round-trip time to every request, as a real network would.
 *
 * <p>Workloads (each measured from mount until the mount process has exited, unless said):
 * <ol>
 *   <li>publish: {@code cp} + {@code repo-add -R} of each package, {@code fusermount -u} at once;
 *       time, requests by kind, then whether pacman can sync and install everything anonymously;
 *   <li>listing: cold and warm {@code ls -l} of N objects written with the SDK, and of N files
 *       written through the mount by 16 {@code cp} at once, once per run with no added latency
 *       (after they reached the bucket, on a fresh mount at each latency);
 *   <li>streaming: {@code dd bs=1M} of M MiB, unmount, exit; cold read on a fresh mount; and the
 *       SDK's own throughput on the same server (single PUT/GET, multipart, parallel ranged GET);
 *   <li>small files: {@code cp -r} of K files of 4 KiB until all are in the bucket, then
 *       {@code rm -r} until they are gone;
 *   <li>peak RSS (VmHWM) of every mount process, per workload.
 * </ol>
 * Every value is kept per run; the report gives medians and ratios to s3fs.
 */
@Command(name = "benchmark", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Benchmarks s3fs, rclone mount and s3repofs on one local S3 server, with and without added",
        "latency. Sizes default to the full run (or --quick); BENCH_* variables override them."},
    usageHelpWidth = 100)
public final class Benchmark implements Callable<Integer> {

  static final List<String> ALL_WORKLOADS = List.of("publish", "listing", "streaming", "smallfiles");

  @Option(names = "--quick", description = "Small sizes, one run: 3 packages, 1,000 objects, 128 MiB, 200 files.")
  boolean quick;
  @Option(names = "--runs", description = "Runs of everything; medians are reported (default 3, --quick 1; BENCH_RUNS).")
  Integer runs;
  @Option(names = "--tools", split = ",", description = "Subset of s3fs,rclone,s3repofs,s3repofs-listonly (default:"
      + " the first three; s3repofs-listonly is s3repofs with -o stat_from_list).")
  List<String> tools = List.of("s3fs", "rclone", "s3repofs");
  @Option(names = "--workloads", split = ",", description = "Subset of publish,listing,streaming,smallfiles (default: all).")
  List<String> workloads = ALL_WORKLOADS;
  @Option(names = "--latency", split = ",", description = "Added round-trip latencies in ms (default: 0,20).")
  List<Integer> latencies = List.of(0, 20);
  @Option(names = "--packages", description = "Small packages (default 20, --quick 2; BENCH_PACKAGES); one big one comes on top.")
  Integer packages;
  @Option(names = "--big-mib", description = "Size of the big package (default 64, --quick 16; BENCH_BIG_MIB).")
  Integer bigMib;
  @Option(names = "--objects", description = "Objects listed (default 10000, --quick 1000; BENCH_OBJECTS).")
  Integer objects;
  @Option(names = "--stream-mib", description = "MiB streamed (default 1024, --quick 128; BENCH_STREAM_MIB).")
  Integer streamMib;
  @Option(names = "--small-files", description = "Files of 4 KiB (default 2000, --quick 200; BENCH_SMALL_FILES).")
  Integer smallFiles;
  @Option(names = "--out", description = "Directory for results.csv, results.json, report.md, chart.png (default: target/bench-results/DATE).")
  Path out;
  @Option(names = "--timeout", description = "Longest wait for any single step, seconds (default 1800; BENCH_TIMEOUT).")
  Integer timeoutSeconds;
  /** How many cp processes write the listing's files through a mount at once. */
  private static final int OWN_WRITERS = 16;
  /** The bucket of files each tool wrote through its mount, per run ("RUN/TOOL"). */
  private final Map<String, String> ownBuckets = new java.util.HashMap<>();
  @Option(names = "--listing-sdk-only", description = "listing: only the objects the SDK wrote, not the files written"
      + " through each mount (s3fs takes minutes to write 10,000 files at 20 ms, even 16 at a time).")
  boolean listingSdkOnly;
  @Option(names = "--keep", description = "Keep the work directory (logs, caches, bucket data).")
  boolean keep;

  private Path home;
  private Path launcher;
  private Path work;
  private Path s3data;
  private Duration timeout;
  private LocalS3Server server;
  private final Map<Integer, URI> endpoints = new LinkedHashMap<>();
  private final Map<Integer, S3Client> sdk = new LinkedHashMap<>();
  private final List<LatencyProxy> proxies = new ArrayList<>();
  private final List<Tool> toolList = new ArrayList<>();
  private final Results results = new Results();
  private final List<Mount> live = new ArrayList<>();
  private Path packageDir;
  private List<String> packageFiles;
  private List<String> expectedPackages;
  private boolean cleanedUp;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Benchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    resolveSizes();
    home = Path.of(System.getProperty("s3repofs.home", ".")).toAbsolutePath().normalize();
    launcher = home.resolve("scripts/s3repofs");
    for (String t : tools) {
      Tool tool = Tool.of(t);
      if (!tool.isS3repofs() && !Shell.onPath(tool.label)) {
        log("%s is not installed: skipped", tool.label);
        continue;
      }
      toolList.add(tool);
    }
    if (out == null) {
      out = home.resolve("target/bench-results/" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }
    Files.createDirectories(out);
    work = Files.createTempDirectory(Path.of("/tmp"), "s3repofs-bench.");
    s3data = work.resolve("s3data");
    Runtime.getRuntime().addShutdownHook(new Thread(this::cleanUp));
    try {
      startServer();
      prepareInputs();
      warmUp();
      for (int run = 1; run <= runs; run++) {
        for (String w : workloads) {
          runWorkload(w, run);
        }
      }
      report();
    } finally {
      cleanUp();
    }
    return 0;
  }

  // ---------------------------------------------------------------------------------------------
  // set-up

  /**
   * Mounts s3repofs once before anything is timed: the first mount of a build writes the launcher's
   * class-data archive as its JVM exits (measured: peak RSS 312 MiB where later mounts peak at 167,
   * and mounts in the minute after it run without the archive). The archive, complete once that
   * process has exited, is put in place here rather than by the launcher's minute-old rule.
   */
  private void warmUp() throws Exception {
    if (toolList.stream().noneMatch(t -> t.label.startsWith("s3repofs"))) {
      return;
    }
    String bucket = "warmup";
    server.createBucket(bucket);
    Path dir = work.resolve("warmup");
    Files.createDirectories(dir);
    Mount m = Mount.start(Tool.S3REPOFS, launcher, bucket, endpoints.get(latencies.get(0)), server.accessKey(),
        server.secretKey(), dir);
    live.add(m);
    try {
      Files.writeString(m.mountPoint.resolve("warm-up"), "warm-up\n");
      Shell.check(timeout, null, "ls", "-l", m.mountPoint.toString());
      m.unmountAndWait(timeout);
    } finally {
      live.remove(m);
      m.close();
    }
    Path archive = placeClassArchive(home.resolve("target"));
    log("warm-up mount done (class-data archive %s)", Files.isRegularFile(archive)
        ? "in place, " + Files.size(archive) / (1 << 20) + " MiB" : "absent");
  }

  /**
   * Puts the archive of a mount that served in place as {@code target/s3repofs.jsa} (one that
   * cli/ClassArchive left {@code ARCHIVE.ok} beside) and removes the marker; an archive without
   * it is left to the launcher, which deletes it. Returns the archive's path.
   */
  static Path placeClassArchive(Path target) throws IOException {
    Path archive = target.resolve("s3repofs.jsa");
    try (var oks = Files.newDirectoryStream(target, "s3repofs.jsa.tmp-*.ok")) {
      for (Path ok : oks) {
        Path tmp = ok.resolveSibling(ok.getFileName().toString().replaceFirst("\\.ok$", ""));
        if (Files.isRegularFile(tmp)) {
          Files.move(tmp, archive, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.delete(ok);
      }
    }
    return archive;
  }

  private void resolveSizes() {
    runs = pick(runs, "BENCH_RUNS", 3, 1);
    packages = pick(packages, "BENCH_PACKAGES", 20, 2);
    bigMib = pick(bigMib, "BENCH_BIG_MIB", 64, 16);
    objects = pick(objects, "BENCH_OBJECTS", 10_000, 1_000);
    streamMib = pick(streamMib, "BENCH_STREAM_MIB", 1024, 128);
    smallFiles = pick(smallFiles, "BENCH_SMALL_FILES", 2_000, 200);
    timeout = Duration.ofSeconds(pick(timeoutSeconds, "BENCH_TIMEOUT", 1800, 1800));
    for (String w : workloads) {
      if (!ALL_WORKLOADS.contains(w)) {
        throw new CommandLine.ParameterException(new CommandLine(this), "unknown workload: " + w);
      }
    }
  }

  private int pick(Integer option, String env, int full, int quickValue) {
    if (option != null) {
      return option;
    }
    String v = System.getenv(env);
    return v != null && !v.isBlank() ? Integer.parseInt(v.trim()) : quick ? quickValue : full;
  }

  private void startServer() throws Exception {
    server = LocalS3Server.start(0, s3data, LocalS3Server.DEFAULT_ACCESS_KEY, LocalS3Server.DEFAULT_SECRET_KEY);
    for (int l : latencies) {
      URI endpoint = server.endpoint();
      if (l > 0) {
        LatencyProxy proxy = new LatencyProxy(server.endpoint(), Duration.ofMillis(l));
        proxies.add(proxy);
        endpoint = proxy.endpoint();
      }
      endpoints.put(l, endpoint);
      sdk.put(l, S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
          .credentialsProvider(StaticCredentialsProvider.create(
              AwsBasicCredentials.create(server.accessKey(), server.secretKey())))
          .httpClientBuilder(ApacheHttpClient.builder().maxConnections(64)).build());
    }
    log("S3 server %s (data in %s); latencies %s", server.endpoint(), s3data, endpoints);
  }

  private void prepareInputs() throws Exception {
    if (workloads.contains("publish")) {
      String cache = System.getenv("BENCH_PKG_CACHE");
      packageDir = cache != null ? Path.of(cache) : home.resolve("target/bench-packages/p" + packages + "-b" + bigMib);
      log("test packages: %d small + one of %d MiB in %s", packages, bigMib, packageDir);
      Shell.check(timeout, home, home.resolve("scripts/make-test-packages.sh").toString(), packageDir.toString(),
          Integer.toString(packages), Integer.toString(bigMib));
      List<String[]> rows = Files.readAllLines(packageDir.resolve("packages.tsv")).stream()
          .filter(s -> !s.isBlank()).map(s -> s.split("\t")).toList();
      packageFiles = rows.stream().map(r -> r[0]).toList();
      Map<String, String> lastOfName = new LinkedHashMap<>();
      rows.forEach(r -> lastOfName.put(r[1], r[0]));
      expectedPackages = List.copyOf(lastOfName.values());
    }
    if (workloads.contains("listing") && !listingSdkOnly) {
      writeFiles(work.resolve("input/own"), objects, 16);
    }
    if (workloads.contains("smallfiles")) {
      writeFiles(work.resolve("input/small"), smallFiles, 4096);
    }
  }

  private static void writeFiles(Path dir, int count, int size) throws IOException {
    Files.createDirectories(dir);
    Random random = new Random(count);
    byte[] data = new byte[size];
    for (int i = 0; i < count; i++) {
      random.nextBytes(data);
      Files.write(dir.resolve(String.format("f%05d", i)), data);
    }
  }

  private void runWorkload(String workload, int run) throws Exception {
    String sdkBucket = null;
    if (workload.equals("listing")) {
      sdkBucket = "lsdk-r" + run;
      fillWithSdk(sdkBucket, "sdk/", objects);
    }
    for (int l : latencies) {
      if (workload.equals("streaming")) {
        guarded(workload, l, "sdk", () -> {
          sdkCeiling(run, l);
          return null;
        });
      }
      for (Tool tool : toolList) {
        log("run %d/%d · %s · %d ms · %s", run, runs, workload, l, tool.label);
        String finalSdkBucket = sdkBucket;
        guarded(workload, l, tool.label, () -> {
          switch (workload) {
            case "publish" -> publish(run, l, tool);
            case "listing" -> listing(run, l, tool, finalSdkBucket);
            case "streaming" -> streaming(run, l, tool);
            case "smallfiles" -> smallFiles(run, l, tool);
            default -> throw new IllegalStateException(workload);
          }
          return null;
        });
      }
    }
  }

  /** Runs one measurement; a failure is noted in the report and does not stop the benchmark. */
  private void guarded(String workload, int latency, String tool, Callable<?> step) {
    try {
      step.call();
    } catch (Exception e) {
      String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
      log("  FAILED: %s", msg);
      results.note(workload, latency, tool, "failed: " + msg);
    } finally {
      for (Mount m : live) {
        m.close();
      }
      live.clear();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // the workloads

  /** cp + repo-add -R per package, unmount at once, until the mount process exits; then pacman. */
  private void publish(int run, int latency, Tool tool) throws Exception {
    String bucket = newBucket("pub", run, latency, tool);
    Path dir = freshDir("publish", run, latency, tool, "");
    Map<String, Long> before = server.requestCounts();
    Mount m = mount(tool, bucket, latency, dir);
    Path repo = m.mountPoint.resolve("repo/x86_64");
    long t1 = System.nanoTime();
    Shell.check(timeout, dir, "mkdir", "-p", repo.toString());
    int failed = 0;
    for (String f : packageFiles) {
      Shell.Result r = Shell.run(timeout, dir, "cp", packageDir.resolve(f).toString(), repo + "/");
      if (r.ok()) {
        r = Shell.run(timeout, dir, "repo-add", "-q", "-R", repo.resolve("bench.db.tar.gz").toString(), repo.resolve(f).toString());
      }
      if (!r.ok()) {
        if (failed++ == 0) {
          results.note("publish", latency, tool.label, "first failed step: " + f + ": " + r.lastLine());
        }
      }
    }
    double add = seconds(t1);
    double exit = m.unmountAndWait(timeout);
    double total = seconds(t1); // mkdir, cp + repo-add, unmount, exit: the mount's start-up is under "mount"
    Map<String, Long> after = server.requestCounts();
    String w = "publish";
    results.add(w, "add_s", "s", latency, tool.label, add);
    results.add(w, "unmount_to_exit_s", "s", latency, tool.label, exit);
    results.add(w, "total_s", "s", latency, tool.label, total);
    recordRequests(w, "", latency, tool, before, after, true);
    results.add(w, "failed_steps", "", latency, tool.label, failed);
    results.add(w, "peak_rss", "MiB", latency, tool.label, m.peakRssKb() / 1024.0);
    // what a user sees: packages in the bucket, anonymous pacman -Sy and -S of everything
    int present = 0;
    for (String f : expectedPackages) {
      present += anonymousStatus(bucket, "repo/x86_64/" + f) == 200 ? 1 : 0;
    }
    results.add(w, "packages_in_bucket", "of " + expectedPackages.size(), latency, tool.label, present);
    String pacman = pacmanCheck(bucket, dir.resolve("pacman"));
    results.add(w, "pacman_ok", "1=yes", latency, tool.label, pacman == null ? 1 : 0);
    if (pacman != null) {
      results.note(w, latency, tool.label, "pacman: " + pacman);
    }
    log("  %s: add %.2f s, exit %.2f s, %d requests, packages %d/%d, pacman %s", tool.label, add, exit,
        delta(before, after, "TOTAL"), present, expectedPackages.size(), pacman == null ? "works" : "FAILS: " + pacman);
  }

  /** Cold and warm ls -l of objects the SDK wrote, and of files written through the mount. */
  private void listing(int run, int latency, Tool tool, String sdkBucket) throws Exception {
    String w = "listing";
    // 1. objects written by another tool: a fresh mount of the SDK's bucket
    Path dir = freshDir(w, run, latency, tool, "sdk");
    Mount m = mount(tool, sdkBucket, latency, dir);
    timedLs(w, "sdk", latency, tool, m.mountPoint.resolve("sdk"));
    m.unmountAndWait(timeout);
    long rss = m.peakRssKb();
    if (listingSdkOnly) {
      results.add(w, "peak_rss", "MiB", latency, tool.label, rss / 1024.0);
      return;
    }
    // 2. files written through the mount, until they are all in the bucket: once per run and
    // tool, straight to the server, and listed at every latency. This is set-up (the smallfiles
    // workload times writing): s3fs took over an hour for 10,000 files at 20 ms even with 16 cp
    // at once, as its upload in close(2) holds each cp.
    String bucket = ownBuckets.get(run + "/" + tool.label);
    if (bucket == null) {
      bucket = newBucket("lown", run, 0, tool);
      dir = freshDir(w, run, 0, tool, "write");
      Map<String, Long> before = server.requestCounts();
      m = mount(tool, bucket, 0, dir);
      long t0 = System.nanoTime();
      Shell.check(timeout, dir, "mkdir", m.mountPoint + "/own");
      Shell.check(timeout, work.resolve("input/own"), "bash", "-c",
          "ls | xargs -P " + OWN_WRITERS + " -n 100 cp -t '" + m.mountPoint + "/own/'");
      double cp = seconds(t0);
      boolean arrived = waitForObjects(bucket, "own", objects);
      double inBucket = seconds(t0);
      m.unmountAndWait(timeout);
      rss = Math.max(rss, m.peakRssKb());
      results.add(w, "own_write_s", "s", 0, tool.label, cp);
      results.add(w, "own_write_until_in_bucket_s", "s", 0, tool.label, inBucket);
      recordRequests(w, "own_write_", 0, tool, before, server.requestCounts(), false);
      if (!arrived) {
        results.note(w, 0, tool.label, "only " + countObjects(bucket, "own") + " of " + objects
            + " files written through the mount reached the bucket within the timeout");
      }
      ownBuckets.put(run + "/" + tool.label, bucket);
    }
    // 3. a fresh mount lists them
    dir = freshDir(w, run, latency, tool, "read");
    m = mount(tool, bucket, latency, dir);
    timedLs(w, "own", latency, tool, m.mountPoint.resolve("own"));
    m.unmountAndWait(timeout);
    rss = Math.max(rss, m.peakRssKb());
    results.add(w, "peak_rss", "MiB", latency, tool.label, rss / 1024.0);
  }

  private void timedLs(String w, String what, int latency, Tool tool, Path dir) throws Exception {
    for (String pass : List.of("cold", "warm")) {
      Map<String, Long> before = server.requestCounts();
      Shell.Result r = Shell.check(timeout, null, "ls", "-l", dir.toString());
      Map<String, Long> after = server.requestCounts();
      long files = r.output().lines().filter(s -> s.startsWith("-")).count();
      results.add(w, what + "_" + pass + "_s", "s", latency, tool.label, r.seconds());
      results.add(w, what + "_" + pass + "_requests", "", latency, tool.label, delta(before, after, "TOTAL"));
      if (files != objects) {
        results.note(w, latency, tool.label, "ls -l " + what + " (" + pass + ") showed " + files + " of " + objects + " files");
      }
      log("  %s ls -l %s %s: %.2f s, %d requests, %d files", tool.label, what, pass, r.seconds(),
          delta(before, after, "TOTAL"), files);
    }
  }

  /** dd of M MiB until the mount process exits; then a cold read through a fresh mount. */
  private void streaming(int run, int latency, Tool tool) throws Exception {
    String w = "streaming";
    String bucket = newBucket("str", run, latency, tool);
    Path dir = freshDir(w, run, latency, tool, "write");
    Map<String, Long> before = server.requestCounts();
    Mount m = mount(tool, bucket, latency, dir);
    long t0 = System.nanoTime();
    Shell.check(timeout, null, "dd", "if=/dev/zero", "of=" + m.mountPoint.resolve("big.bin"), "bs=1M",
        "count=" + streamMib);
    double dd = seconds(t0);
    m.unmountAndWait(timeout);
    double total = seconds(t0);
    long rss = m.peakRssKb();
    results.add(w, "write_dd_s", "s", latency, tool.label, dd);
    results.add(w, "write_until_exit_s", "s", latency, tool.label, total);
    results.add(w, "write_MiB_per_s", "MiB/s", latency, tool.label, streamMib / total);
    recordRequests(w, "write_", latency, tool, before, server.requestCounts(), false);
    long stored = objectSize(bucket, "big.bin");
    boolean inBucket = stored == streamMib * 1048576L;
    results.add(w, "write_in_bucket", "1=yes", latency, tool.label, inBucket ? 1 : 0);
    log("  %s write: dd %.2f s, until exit %.2f s, in bucket: %s", tool.label, dd, total, inBucket);
    if (!inBucket) {
      results.note(w, latency, tool.label, "after the mount process exited the object was "
          + (stored < 0 ? "missing" : stored + " bytes") + "; the cold read used a copy put by the SDK");
      sdk.get(0).putObject(b -> b.bucket(bucket).key("big.bin"), RequestBody.fromFile(zeroFile()));
    }
    dir = freshDir(w, run, latency, tool, "read");
    m = mount(tool, bucket, latency, dir);
    before = server.requestCounts();
    Shell.Result r = Shell.check(timeout, null, "dd", "if=" + m.mountPoint.resolve("big.bin"), "of=/dev/null", "bs=1M");
    recordRequests(w, "read_", latency, tool, before, server.requestCounts(), false);
    m.unmountAndWait(timeout);
    log("  %s peak RSS: write mount %d MiB, read mount %d MiB", tool.label, rss / 1024, m.peakRssKb() / 1024);
    rss = Math.max(rss, m.peakRssKb());
    if (!r.output().contains(streamMib * 1048576L + " bytes")) {
      results.note(w, latency, tool.label, "cold read: " + r.lastLine());
    }
    results.add(w, "read_cold_s", "s", latency, tool.label, r.seconds());
    results.add(w, "read_MiB_per_s", "MiB/s", latency, tool.label, streamMib / r.seconds());
    results.add(w, "peak_rss", "MiB", latency, tool.label, rss / 1024.0);
    log("  %s cold read: %.2f s", tool.label, r.seconds());
    server.blobStore().deleteContainer(bucket);
  }

  /** What the SDK itself gets from the same server: the ceiling for any filesystem on it. */
  private void sdkCeiling(int run, int latency) throws Exception {
    String w = "streaming";
    String bucket = "sdk-l" + latency + "-r" + run;
    server.createBucket(bucket);
    S3Client s3 = sdk.get(latency);
    Path file = zeroFile();
    long size = Files.size(file);
    long t0 = System.nanoTime();
    s3.putObject(b -> b.bucket(bucket).key("single"), RequestBody.fromFile(file));
    results.add(w, "sdk_put_MiB_per_s", "MiB/s", latency, "sdk", streamMib / seconds(t0));
    t0 = System.nanoTime();
    try (InputStream in = s3.getObject(b -> b.bucket(bucket).key("single"))) {
      drain(in);
    }
    results.add(w, "sdk_get_MiB_per_s", "MiB/s", latency, "sdk", streamMib / seconds(t0));
    int threads = 4;
    long part = 16L << 20;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      t0 = System.nanoTime();
      String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("multi")).uploadId();
      List<Future<CompletedPart>> parts = new ArrayList<>();
      for (long off = 0, n = 1; off < size; off += part, n++) {
        long offset = off;
        int number = (int) n;
        parts.add(pool.submit(() -> {
          byte[] data = new byte[(int) Math.min(part, size - offset)];
          try (var ch = java.nio.channels.FileChannel.open(file)) {
            ch.read(java.nio.ByteBuffer.wrap(data), offset);
          }
          String etag = s3.uploadPart(b -> b.bucket(bucket).key("multi").uploadId(uploadId).partNumber(number),
              RequestBody.fromBytes(data)).eTag();
          return CompletedPart.builder().partNumber(number).eTag(etag).build();
        }));
      }
      List<CompletedPart> done = new ArrayList<>();
      for (Future<CompletedPart> f : parts) {
        done.add(f.get());
      }
      s3.completeMultipartUpload(b -> b.bucket(bucket).key("multi").uploadId(uploadId)
          .multipartUpload(u -> u.parts(done)));
      results.add(w, "sdk_multipart_put_MiB_per_s", "MiB/s", latency, "sdk", streamMib / seconds(t0));
      t0 = System.nanoTime();
      List<Future<?>> gets = new ArrayList<>();
      for (long off = 0; off < size; off += part) {
        String range = "bytes=" + off + "-" + (Math.min(size, off + part) - 1);
        gets.add(pool.submit(() -> {
          try (InputStream in = s3.getObject(b -> b.bucket(bucket).key("multi").range(range))) {
            drain(in);
          }
          return null;
        }));
      }
      for (Future<?> f : gets) {
        f.get();
      }
      results.add(w, "sdk_ranged_get_MiB_per_s", "MiB/s", latency, "sdk", streamMib / seconds(t0));
    } finally {
      pool.shutdownNow();
    }
    log("  sdk ceiling at %d ms: put %.0f, get %.0f, multipart %.0f, ranged get %.0f MiB/s", latency,
        results.median(w, "sdk_put_MiB_per_s", latency, "sdk"), results.median(w, "sdk_get_MiB_per_s", latency, "sdk"),
        results.median(w, "sdk_multipart_put_MiB_per_s", latency, "sdk"),
        results.median(w, "sdk_ranged_get_MiB_per_s", latency, "sdk"));
    server.blobStore().deleteContainer(bucket);
  }

  /** cp -r of K files of 4 KiB until all are in the bucket; rm -r until all are gone; exit. */
  private void smallFiles(int run, int latency, Tool tool) throws Exception {
    String w = "smallfiles";
    String bucket = newBucket("small", run, latency, tool);
    Path dir = freshDir(w, run, latency, tool, "");
    Mount m = mount(tool, bucket, latency, dir);
    Map<String, Long> before = server.requestCounts();
    long t0 = System.nanoTime();
    Shell.check(timeout, dir, "cp", "-r", work.resolve("input/small").toString(), m.mountPoint + "/");
    double cp = seconds(t0);
    boolean arrived = waitForObjects(bucket, "small", smallFiles);
    double inBucket = seconds(t0);
    Map<String, Long> mid = server.requestCounts();
    t0 = System.nanoTime();
    Shell.check(timeout, dir, "rm", "-r", m.mountPoint.resolve("small").toString());
    double rm = seconds(t0);
    boolean gone = waitForObjects(bucket, "small", 0);
    double goneS = seconds(t0);
    double exit = m.unmountAndWait(timeout);
    Map<String, Long> after = server.requestCounts();
    results.add(w, "cp_s", "s", latency, tool.label, cp);
    results.add(w, "cp_until_in_bucket_s", "s", latency, tool.label, inBucket);
    results.add(w, "rm_s", "s", latency, tool.label, rm);
    results.add(w, "rm_until_gone_s", "s", latency, tool.label, goneS);
    results.add(w, "unmount_to_exit_s", "s", latency, tool.label, exit);
    recordRequests(w, "write_", latency, tool, before, mid, false);
    recordRequests(w, "rm_", latency, tool, mid, after, false);
    results.add(w, "peak_rss", "MiB", latency, tool.label, m.peakRssKb() / 1024.0);
    if (!arrived || !gone) {
      results.note(w, latency, tool.label, (arrived ? "" : "not all files reached the bucket; ")
          + (gone ? "" : "not all files were deleted from the bucket; ") + "within " + timeout.toSeconds() + " s");
    }
    log("  %s: cp %.2f s, in bucket after %.2f s, rm %.2f s, gone after %.2f s, %d + %d requests", tool.label,
        cp, inBucket, rm, goneS, delta(before, mid, "TOTAL"), delta(mid, after, "TOTAL"));
  }

  // ---------------------------------------------------------------------------------------------
  // helpers

  private Mount mount(Tool tool, String bucket, int latency, Path dir) throws Exception {
    // Every timed step starts on a fresh mount, and with no dirty pages left by the step before:
    // a tool whose cache kept the 1 GiB it wrote would otherwise have the kernel write it back
    // to disk during the next tool's (or its own) cold read (measured: 2.2 s -> 2.6 s).
    Shell.check(timeout, null, "sync");
    Mount m = Mount.start(tool, launcher, bucket, endpoints.get(latency), server.accessKey(), server.secretKey(), dir);
    live.add(m);
    results.add("mount", "mount_s", "s", latency, tool.label, m.mountSeconds);
    return m;
  }

  private String newBucket(String workload, int run, int latency, Tool tool) {
    String bucket = workload + "-" + tool.label + "-l" + latency + "-r" + run;
    server.createBucket(bucket);
    return bucket;
  }

  private Path freshDir(String workload, int run, int latency, Tool tool, String suffix) throws IOException {
    Path dir = work.resolve(workload).resolve(tool.label + "-l" + latency + "-r" + run + (suffix.isEmpty() ? "" : "-" + suffix));
    Files.createDirectories(dir);
    return dir;
  }

  private void recordRequests(String w, String prefix, int latency, Tool tool, Map<String, Long> before,
      Map<String, Long> after, boolean byKind) {
    results.add(w, prefix + "requests", "", latency, tool.label, delta(before, after, "TOTAL"));
    if (byKind) {
      for (String kind : List.of("HEAD", "GET", "LIST", "PUT", "COPY", "DELETE")) {
        long n = delta(before, after, kind) + (kind.equals("DELETE") ? delta(before, after, "DELETE_MULTIPLE") : 0);
        results.add(w, prefix + kind, "", latency, tool.label, n);
      }
      results.add(w, prefix + "multipart", "", latency, tool.label, delta(before, after, "CREATE_MULTIPART")
          + delta(before, after, "UPLOAD_PART") + delta(before, after, "COMPLETE_MULTIPART"));
    }
  }

  private static long delta(Map<String, Long> before, Map<String, Long> after, String kind) {
    if (kind.equals("TOTAL")) {
      return after.values().stream().mapToLong(Long::longValue).sum()
          - before.values().stream().mapToLong(Long::longValue).sum();
    }
    return after.getOrDefault(kind, 0L) - before.getOrDefault(kind, 0L);
  }

  /** The SDK writes {@code count} small objects (in parallel), as another tool filling a bucket would. */
  private void fillWithSdk(String bucket, String prefix, int count) throws Exception {
    server.createBucket(bucket);
    long t0 = System.nanoTime();
    S3Client s3 = sdk.get(0);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> puts = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String key = String.format("%sobj%05d", prefix, i);
        puts.add(pool.submit(() -> s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(key))));
      }
      for (Future<?> f : puts) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    log("the SDK wrote %d objects to %s in %.1f s", count, bucket, seconds(t0));
  }

  /**
   * Objects under {@code bucket/prefix/}, counted on the server's disk (the filesystem blob store
   * keeps one file per object) so that watching the bucket adds no request to the counts.
   */
  private long countObjects(String bucket, String prefix) throws IOException {
    Path dir = s3data.resolve(bucket).resolve(prefix);
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).count();
    } catch (UncheckedIOException e) {
      return -1; // changed under us; look again
    }
  }

  private boolean waitForObjects(String bucket, String prefix, long want) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (countObjects(bucket, prefix) == want) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  private long objectSize(String bucket, String key) throws IOException {
    Path f = s3data.resolve(bucket).resolve(key);
    return Files.isRegularFile(f) ? Files.size(f) : -1;
  }

  private Path zeroFile() throws IOException {
    Path f = work.resolve("input/zero-" + streamMib + "MiB");
    if (!Files.exists(f)) {
      Files.createDirectories(f.getParent());
      try (var raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
        raf.setLength(streamMib * 1048576L);
      }
    }
    return f;
  }

  private static void drain(InputStream in) throws IOException {
    byte[] buffer = new byte[1 << 20];
    while (in.read(buffer) >= 0) {
      // discard
    }
  }

  private int anonymousStatus(String bucket, String key) throws Exception {
    Shell.Result r = Shell.run(Duration.ofSeconds(120), null, "curl", "-s", "-g", "-o", "/dev/null", "-w", "%{http_code}",
        server.endpoint() + "/" + bucket + "/" + key.replace(" ", "%20"));
    return r.ok() ? Integer.parseInt(r.output().strip()) : -1;
  }

  /** A fresh pacman root syncs the repository over anonymous HTTP and installs every package; null if it works. */
  private String pacmanCheck(String bucket, Path root) throws Exception {
    for (String d : List.of("root", "db", "cache", "gpg")) {
      Files.createDirectories(root.resolve(d));
    }
    Path conf = root.resolve("pacman.conf");
    Files.writeString(conf, "[options]\nArchitecture = x86_64\nSigLevel = Never\nLocalFileSigLevel = Never\n"
        + "DisableDownloadTimeout\n\n[bench]\nServer = " + server.endpoint() + "/" + bucket + "/repo/x86_64\n");
    List<String> p = List.of("pacman", "--config", conf.toString(), "--root", root.resolve("root").toString(),
        "--dbpath", root.resolve("db").toString(), "--cachedir", root.resolve("cache").toString(),
        "--gpgdir", root.resolve("gpg").toString(), "--logfile", root.resolve("pacman.log").toString());
    Shell.Result r = Shell.run(timeout, root, concat(p, "-Sy", "--noprogressbar"));
    if (!r.ok() || r.output().toLowerCase().contains("error")) {
      return "pacman -Sy: " + firstError(r.output());
    }
    r = Shell.run(timeout, root, concat(p, "-Slq", "bench"));
    List<String> names = r.output().lines().filter(s -> !s.isBlank()).toList();
    if (!r.ok() || names.isEmpty() || r.output().contains("error")) {
      return "pacman -Slq: " + (names.isEmpty() ? "the repository lists no packages " : "") + firstError(r.output());
    }
    List<String> install = new ArrayList<>(concat(p, "-S", "-dd", "--noconfirm", "--noprogressbar"));
    install.addAll(names);
    r = Shell.run(timeout, root, install);
    if (!r.ok()) {
      return "pacman -S: " + firstError(r.output());
    }
    r = Shell.run(timeout, root, concat(p, "-Qq"));
    long installed = r.output().lines().filter(s -> !s.isBlank()).count();
    return installed == expectedPackages.size() ? null
        : "installed " + installed + " of " + expectedPackages.size() + " packages";
  }

  private static List<String> concat(List<String> a, String... b) {
    List<String> l = new ArrayList<>(a);
    l.addAll(List.of(b));
    return l;
  }

  private static String firstError(String output) {
    return output.lines().filter(s -> s.toLowerCase().contains("error") || s.contains("failed"))
        .limit(2).reduce((x, y) -> x + " " + y).orElse(output.strip().lines().reduce((x, y) -> y).orElse(""));
  }

  // ---------------------------------------------------------------------------------------------
  // report

  private void report() throws IOException {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("date", LocalDateTime.now().toString());
    config.put("mode", quick ? "quick" : "full");
    config.put("runs", Integer.toString(runs));
    config.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    for (Tool t : toolList) {
      config.put(t.label, t.version());
    }
    config.put("latencies_ms", latencies.toString());
    config.put("packages", packageFiles == null ? "-" : packageFiles.size() + " files (" + packages + " small + one of " + bigMib + " MiB)");
    config.put("objects", objects.toString());
    config.put("stream_mib", streamMib.toString());
    config.put("small_files", smallFiles + " x 4 KiB");
    results.writeCsv(out.resolve("results.csv"));
    results.writeJson(out.resolve("results.json"), config);
    List<String> order = new ArrayList<>(toolList.stream().map(t -> t.label).toList());
    order.add("sdk");
    StringBuilder md = new StringBuilder("Benchmark: ");
    config.forEach((k, v) -> md.append(k).append(' ').append(v).append(" · "));
    md.setLength(md.length() - 3);
    md.append("\n\nMedians of ").append(runs).append(runs == 1 ? " run" : " runs")
        .append("; the ratio columns divide by s3fs's median (times, requests, RSS: lower is better; MiB/s: higher).\n");
    md.append(results.markdown(order));
    Files.writeString(out.resolve("report.md"), md);
    List<Chart.Panel> panels = List.of(
        new Chart.Panel("publish", "total_s", "publish: cp + repo-add -R until exit"),
        new Chart.Panel("publish", "requests", "publish: S3 requests"),
        new Chart.Panel("listing", "sdk_cold_s", "ls -l, cold, " + objects + " objects (SDK)"),
        new Chart.Panel("listing", "own_cold_s", "ls -l, cold, " + objects + " files (mount)"),
        new Chart.Panel("streaming", "write_MiB_per_s", "dd write " + streamMib + " MiB, until exit"),
        new Chart.Panel("streaming", "read_MiB_per_s", "cold read " + streamMib + " MiB"),
        new Chart.Panel("smallfiles", "cp_until_in_bucket_s", "cp -r " + smallFiles + " x 4 KiB, until in bucket"),
        new Chart.Panel("smallfiles", "rm_until_gone_s", "rm -r, until gone from bucket"),
        new Chart.Panel("publish", "peak_rss", "peak RSS of the mount (publish)"));
    try {
      Chart.draw(results, panels, latencies, toolList.stream().map(t -> t.label).toList(), out.resolve("chart.png"));
    } catch (NoClassDefFoundError e) {
      log("no chart: XChart is not on the class path (%s)", e.getMessage());
    }
    System.out.println(md);
    log("results in %s (results.csv, results.json, report.md, chart.png)", out);
  }

  private synchronized void cleanUp() {
    if (cleanedUp) {
      return;
    }
    cleanedUp = true;
    for (Mount m : live) {
      m.close();
    }
    live.clear();
    for (S3Client c : sdk.values()) {
      c.close();
    }
    sdk.clear();
    for (LatencyProxy p : proxies) {
      try {
        p.close();
      } catch (IOException ignored) {
        // exiting
      }
    }
    proxies.clear();
    if (server != null) {
      try {
        server.close();
      } catch (Exception ignored) {
        // exiting
      }
      server = null;
    }
    if (work != null && !keep) {
      deleteTree(work);
      work = null;
    } else if (work != null) {
      log("work directory kept: %s", work);
    }
  }

  /** Deletes a tree without ever descending into a mount point. */
  private static void deleteTree(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
      for (Path p : all) {
        if (p.getFileName().toString().equals("mnt") && Mount.isMounted(p)) {
          return;
        }
      }
      for (Path p : all) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      log("could not remove %s: %s", root, e.getMessage());
    }
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  static void log(String format, Object... args) {
    System.err.printf("[%s] %s%n", java.time.LocalTime.now().withNano(0), String.format(java.util.Locale.ROOT, format, args));
  }
}

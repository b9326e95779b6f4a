package io.s3repofs.cli;

import io.s3repofs.locals3.LocalS3Server;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code s3repofs local-s3}: an S3 server on this machine, for trying things and for benchmarks. */
@Command(
    name = "local-s3",
    mixinStandardHelpOptions = true,
    description = {
        "Run an S3 server on 127.0.0.1 (S3Proxy) until interrupted.",
        "It checks signatures and canned ACLs as S3 does, so public-read objects are served to"
            + " anonymous HTTP clients such as pacman at http://127.0.0.1:PORT/BUCKET/KEY."
            + " It counts the requests it serves."},
    footer = {
        "",
        "Example:",
        "  s3repofs local-s3 --port 9000 --bucket repo --data /tmp/s3data &",
        "  printf 'repo:%%s:%%s\\n' local-access-key local-secret-key > ~/.passwd-s3fs; chmod 600 ~/.passwd-s3fs",
        "  s3repofs mount repo ~/bucket -o url=http://127.0.0.1:9000,use_path_request_style,default_acl=public-read"})
final class LocalS3Command implements Callable<Integer> {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--port", description = "Port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port = 9000;

  @Option(names = "--data", paramLabel = "DIR", description = "Keep objects in DIR (default: in memory).")
  Path data;

  @Option(names = "--bucket", paramLabel = "NAME", description = "Create this bucket (repeatable).")
  List<String> buckets = new ArrayList<>();

  @Option(names = "--access-key", description = "Access key (default: ${DEFAULT-VALUE}).")
  String accessKey = LocalS3Server.DEFAULT_ACCESS_KEY;

  @Option(names = "--secret-key", description = "Secret key (default: ${DEFAULT-VALUE}).")
  String secretKey = LocalS3Server.DEFAULT_SECRET_KEY;

  @Option(names = "--stats", paramLabel = "FILE",
      description = "Keep FILE updated with the request counts (kind=count lines), for benchmarks.")
  Path stats;

  @Option(names = "--latency", paramLabel = "TIME",
      description = {"Also serve through a proxy that adds TIME (e.g. 20ms) to every request/response",
          "round trip, as a distant server would; its endpoint is printed on a second line."})
  String latency;

  @Option(names = "--latency-port", description = "Port of that proxy (default: any free one).")
  int latencyPort;

  @Override
  public Integer call() throws Exception {
    for (String bucket : buckets) {
      try {
        LocalS3Server.checkBucketName(bucket);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--bucket: " + e.getMessage());
      }
    }
    LocalS3Server server = LocalS3Server.start(port, data, accessKey, secretKey);
    for (String bucket : buckets) {
      server.createBucket(bucket);
    }
    spec.commandLine().getOut().println("S3 endpoint " + server.endpoint() + " (access key " + accessKey + ")"
        + (buckets.isEmpty() ? "" : ", buckets: " + String.join(", ", buckets)));
    if (latency != null) {
      java.time.Duration rtt;
      try {
        rtt = io.s3repofs.locals3.LatencyProxy.parseLatency(latency);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--latency: " + e.getMessage());
      }
      io.s3repofs.locals3.LatencyProxy proxy = new io.s3repofs.locals3.LatencyProxy(server.endpoint(), rtt, latencyPort);
      spec.commandLine().getOut().println("S3 endpoint with " + latency + " latency " + proxy.endpoint());
    }
    spec.commandLine().getOut().flush();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        writeStats(server);
        server.close();
      } catch (Exception ignored) {
        // exiting anyway
      }
    }));
    while (true) {
      writeStats(server);
      Thread.sleep(100);
    }
  }

  private void writeStats(LocalS3Server server) throws java.io.IOException {
    if (stats == null) {
      return;
    }
    StringBuilder out = new StringBuilder();
    long total = 0;
    for (Map.Entry<String, Long> e : server.requestCounts().entrySet()) {
      out.append(e.getKey()).append('=').append(e.getValue()).append('\n');
      total += e.getValue();
    }
    out.append("TOTAL=").append(total).append('\n');
    Path tmp = stats.resolveSibling(stats.getFileName() + ".tmp");
    Files.writeString(tmp, out, StandardCharsets.UTF_8);
    Files.move(tmp, stats, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}

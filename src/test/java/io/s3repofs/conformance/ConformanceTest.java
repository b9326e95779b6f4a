package io.s3repofs.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.s3repofs.testing.Mounts;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import io.s3repofs.testing.SyscallDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The syscall-level conformance suite: every {@link ConformanceCases} row, as root and as
 * unprivileged users, on a local directory (the reference: each row's expectation is what
 * Linux answers there) and on a real s3repofs mount over the in-process S3 server. Rows where
 * the mount differs on purpose are in {@link #MOUNT_DIFFERS}, with what the mount answers, and
 * in README's "Differences from a local filesystem".
 */
class ConformanceTest {

  /** Case name → what the mount answers instead (README lists each). */
  static final Map<String, String> MOUNT_DIFFERS = Map.of(
      "link", "ERR EPERM nlink=1",
      "link-as-u", "ERR EPERM nlink=1",
      // libfuse 2 (under jnr-fuse) passes utimensat on only when both times are set
      "utimens-omit-atime", "OK atime=same mtime=other",
      "utimens-now-omit", "OK atime=same mtime=same");

  @TempDir
  static Path tmp;

  static SyscallDriver driver;
  static Path local;
  static Mounts.InProcess mount;

  @BeforeAll
  static void mountAndReference() throws Exception {
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    driver = new SyscallDriver(tmp.resolve("driver"));
    local = Files.createDirectories(tmp.resolve("local"));
    Files.setPosixFilePermissions(local, PosixFilePermissions.fromString("rwxrwxrwx"));
    String bucket = S3TestServer.newBucket();
    S3Endpoint s3 = S3Endpoint.s3proxy();
    Path secrets = Files.createDirectories(tmp.resolve("secrets"));
    String options = s3.options(s3.passwdFile(secrets, bucket)) + ",use_cache=" + tmp.resolve("cache") + ",allow_other";
    mount = Mounts.mount(bucket, tmp.resolve("mnt"), options);
  }

  @AfterAll
  static void unmount() throws Exception {
    if (mount != null) {
      mount.close();
    }
  }

  @TestFactory
  Stream<DynamicTest> onALocalDirectory() {
    return cases(() -> local, Map.of());
  }

  @TestFactory
  Stream<DynamicTest> onTheMount() {
    return cases(() -> mount.mountPoint, MOUNT_DIFFERS);
  }

  private Stream<DynamicTest> cases(java.util.function.Supplier<Path> root, Map<String, String> differs) {
    ConformanceRunner runner = new ConformanceRunner(driver);
    // -Dconformance.only=TEXT runs only the cases whose name contains TEXT
    String only = System.getProperty("conformance.only", "");
    List<ConformanceCase> all = ConformanceCases.all();
    Set<String> names = new HashSet<>();
    all.forEach(c -> {
      if (!names.add(c.name())) {
        throw new AssertionError("two cases named " + c.name());
      }
    });
    List<DynamicTest> tests = new ArrayList<>();
    for (ConformanceCase c : all.stream().filter(c -> c.name().contains(only)).toList()) {
      tests.add(DynamicTest.dynamicTest(c.toString(), () ->
          assertEquals(differs.getOrDefault(c.name(), c.expected()), runner.run(c, root.get()), c.name())));
    }
    return tests.stream();
  }
}

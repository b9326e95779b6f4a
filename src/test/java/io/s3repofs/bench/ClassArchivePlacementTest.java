package io.s3repofs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's warm-up puts the served mount's class-data archive in place, never its empty
 * {@code .ok} marker (which it once moved over the archive: every later mount then mapped a
 * 0-byte archive, that is none, and took 2.0 s instead of 0.8 s to answer).
 */
class ClassArchivePlacementTest {

  @TempDir Path target;

  @Test
  void theServedArchiveGoesInPlaceAndItsMarkerAway() throws Exception {
    Files.write(target.resolve("s3repofs.jsa.tmp-41"), new byte[4096]);
    Files.writeString(target.resolve("s3repofs.jsa.tmp-41.ok"), "");
    Files.write(target.resolve("s3repofs.jsa.tmp-42"), new byte[100]); // its mount did not serve

    Path archive = Benchmark.placeClassArchive(target);

    assertEquals(target.resolve("s3repofs.jsa"), archive);
    assertEquals(4096, Files.size(archive));
    assertFalse(Files.exists(target.resolve("s3repofs.jsa.tmp-41")));
    assertFalse(Files.exists(target.resolve("s3repofs.jsa.tmp-41.ok")));
    assertEquals(100, Files.size(target.resolve("s3repofs.jsa.tmp-42")), "left for the launcher to delete");
  }
}

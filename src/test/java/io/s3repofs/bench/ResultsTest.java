package io.s3repofs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's arithmetic and files: medians of the runs, ratios to s3fs, CSV, JSON, markdown, chart. */
class ResultsTest {

  @TempDir Path dir;

  private static Results sample() {
    Results r = new Results();
    for (double v : new double[] {30, 10, 20}) {
      r.add("publish", "total_s", "s", 20, "s3fs", v);
    }
    for (double v : new double[] {4, 2, 3, 100}) {
      r.add("publish", "total_s", "s", 20, "s3repofs", v);
    }
    r.add("publish", "requests", "", 20, "s3fs", 700);
    r.add("publish", "requests", "", 20, "s3repofs", 16);
    r.note("publish", 20, "s3fs", "pacman: Unrecognized archive format");
    return r;
  }

  @Test
  void mediansOfOddAndEvenRuns() {
    Results r = sample();
    assertEquals(20.0, r.median("publish", "total_s", 20, "s3fs"));
    assertEquals(3.5, r.median("publish", "total_s", 20, "s3repofs"));
    assertEquals(null, r.median("publish", "total_s", 0, "s3fs"));
  }

  @Test
  void ratiosDivideByTheMedianOfS3fs() {
    Results r = sample();
    assertEquals(3.5 / 20, r.ratioToS3fs(new Results.Key("publish", "total_s", 20, "s3repofs")), 1e-9);
    assertEquals(16 / 700.0, r.ratioToS3fs(new Results.Key("publish", "requests", 20, "s3repofs")), 1e-9);
  }

  @Test
  void writesCsvJsonMarkdownAndChart() throws Exception {
    Results r = sample();
    r.writeCsv(dir.resolve("r.csv"));
    List<String> csv = Files.readAllLines(dir.resolve("r.csv"));
    assertEquals("workload,metric,unit,latency_ms,tool,runs,median,ratio_to_s3fs,values", csv.get(0));
    assertTrue(csv.contains("publish,total_s,s,20,s3repofs,4,3.5000,0.175,4;2;3;100"), csv.toString());
    r.writeJson(dir.resolve("r.json"), Map.of("mode", "quick"));
    String json = Files.readString(dir.resolve("r.json"));
    assertTrue(json.contains("\"ratio_to_s3fs\": 0.1750"), json);
    assertTrue(json.contains("Unrecognized archive format"), json);
    String md = r.markdown(List.of("s3fs", "rclone", "s3repofs"));
    assertTrue(md.contains("| metric | latency | s3fs | s3repofs | s3repofs ÷ s3fs |"), md);
    assertTrue(md.contains("| total_s (s) | 20 ms | 20 | 3.50 | 0.18 |"), md);
    Chart.draw(r, List.of(new Chart.Panel("publish", "total_s", "publish")), List.of(0, 20),
        List.of("s3fs", "s3repofs"), dir.resolve("chart.png"));
    assertTrue(Files.size(dir.resolve("chart.png")) > 1000);
  }
}

package io.s3repofs.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** Draws the headline medians as grouped bar charts (XChart) in one PNG: one panel per metric. */
final class Chart {

  /** One panel: a metric of a workload, its bars grouped by latency, one bar per tool. */
  record Panel(String workload, String metric, String title) {}

  private Chart() {}

  static void draw(Results results, List<Panel> panels, List<Integer> latencies, List<String> tools, Path png)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<CategoryChart> charts = new ArrayList<>();
    for (Panel p : panels) {
      CategoryChart chart = new CategoryChartBuilder().width(520).height(340).title(p.title())
          .xAxisTitle("added round-trip latency").yAxisTitle(results.unit(p.workload(), p.metric())).build();
      chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
      chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
      chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(13f));
      chart.getStyler().setLabelsVisible(true);
      chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
      chart.getStyler().setDecimalPattern("#,##0.##");
      List<String> xs = latencies.stream().map(l -> l + " ms").toList();
      boolean any = false;
      for (String t : tools) {
        List<Number> ys = new ArrayList<>();
        boolean has = false;
        for (int l : latencies) {
          Double m = results.median(p.workload(), p.metric(), l, t);
          ys.add(m == null ? 0.0 : m);
          has |= m != null;
        }
        if (has) {
          chart.addSeries(t, xs, ys);
          any = true;
        }
      }
      if (any) {
        charts.add(chart);
      }
    }
    if (charts.isEmpty()) {
      return;
    }
    // XChart's grid must be full (rows x cols == charts): 3 or 2 columns where they divide, else 1.
    int cols = charts.size() % 3 == 0 ? 3 : charts.size() % 2 == 0 ? 2 : 1;
    int rows = charts.size() / cols;
    BitmapEncoder.saveBitmap(charts, rows, cols, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}

package io.s3repofs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Every measured value, by workload, metric, latency and tool, one value per run; reported as the
 * median of the runs and as a ratio to s3fs's median (lower is better for times, requests and
 * memory; higher for throughput).
 */
final class Results {

  record Key(String workload, String metric, int latencyMs, String tool) {}

  private final Map<Key, List<Double>> values = new LinkedHashMap<>();
  private final Map<String, String> units = new LinkedHashMap<>();
  private final Map<String, Set<String>> notes = new LinkedHashMap<>();

  synchronized void add(String workload, String metric, String unit, int latencyMs, String tool, double value) {
    values.computeIfAbsent(new Key(workload, metric, latencyMs, tool), k -> new ArrayList<>()).add(value);
    units.put(workload + "/" + metric, unit);
  }

  /** A remark on one workload, latency and tool (a failure, a check that did not pass). */
  synchronized void note(String workload, int latencyMs, String tool, String text) {
    notes.computeIfAbsent(workload + " · " + latencyMs + " ms · " + tool, k -> new LinkedHashSet<>()).add(text);
  }

  synchronized Double median(String workload, String metric, int latencyMs, String tool) {
    List<Double> v = values.get(new Key(workload, metric, latencyMs, tool));
    return v == null || v.isEmpty() ? null : median(v);
  }

  static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    s.sort(null);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  synchronized Double ratioToS3fs(Key k) {
    Double base = median(k.workload(), k.metric(), k.latencyMs(), Tool.S3FS.label);
    Double mine = median(k.workload(), k.metric(), k.latencyMs(), k.tool());
    if (base == null || mine == null || base == 0) {
      return null;
    }
    return mine / base;
  }

  synchronized List<String> workloads() {
    return values.keySet().stream().map(Key::workload).distinct().toList();
  }

  synchronized String unit(String workload, String metric) {
    return units.getOrDefault(workload + "/" + metric, "");
  }

  synchronized void writeCsv(Path file) throws IOException {
    StringBuilder out = new StringBuilder("workload,metric,unit,latency_ms,tool,runs,median,ratio_to_s3fs,values\n");
    for (Map.Entry<Key, List<Double>> e : values.entrySet()) {
      Key k = e.getKey();
      Double ratio = ratioToS3fs(k);
      out.append(String.join(",", k.workload(), k.metric(), unit(k.workload(), k.metric()),
              Integer.toString(k.latencyMs()), k.tool(), Integer.toString(e.getValue().size()),
              num(median(e.getValue())), ratio == null ? "" : String.format(Locale.ROOT, "%.3f", ratio),
              String.join(";", e.getValue().stream().map(Results::num).toList())))
          .append('\n');
    }
    Files.writeString(file, out);
  }

  synchronized void writeJson(Path file, Map<String, String> config) throws IOException {
    StringBuilder out = new StringBuilder("{\n  \"config\": {");
    String sep = "";
    for (Map.Entry<String, String> c : config.entrySet()) {
      out.append(sep).append("\n    ").append(q(c.getKey())).append(": ").append(q(c.getValue()));
      sep = ",";
    }
    out.append("\n  },\n  \"results\": [");
    sep = "";
    for (Map.Entry<Key, List<Double>> e : values.entrySet()) {
      Key k = e.getKey();
      Double ratio = ratioToS3fs(k);
      out.append(sep).append("\n    {\"workload\": ").append(q(k.workload()))
          .append(", \"metric\": ").append(q(k.metric()))
          .append(", \"unit\": ").append(q(unit(k.workload(), k.metric())))
          .append(", \"latency_ms\": ").append(k.latencyMs())
          .append(", \"tool\": ").append(q(k.tool()))
          .append(", \"median\": ").append(num(median(e.getValue())))
          .append(", \"ratio_to_s3fs\": ").append(ratio == null ? "null" : String.format(Locale.ROOT, "%.4f", ratio))
          .append(", \"values\": [").append(String.join(", ", e.getValue().stream().map(Results::num).toList()))
          .append("]}");
      sep = ",";
    }
    out.append("\n  ],\n  \"notes\": {");
    sep = "";
    for (Map.Entry<String, Set<String>> n : notes.entrySet()) {
      out.append(sep).append("\n    ").append(q(n.getKey())).append(": [")
          .append(String.join(", ", n.getValue().stream().map(Results::q).toList())).append("]");
      sep = ",";
    }
    out.append("\n  }\n}\n");
    Files.writeString(file, out);
  }

  /** One markdown table per workload: a row per metric and latency, a column per tool, then the ratios. */
  synchronized String markdown(List<String> toolOrder) {
    StringBuilder out = new StringBuilder();
    for (String w : workloads()) {
      List<String> tools = new ArrayList<>();
      for (String t : toolOrder) {
        if (values.keySet().stream().anyMatch(k -> k.workload().equals(w) && k.tool().equals(t))) {
          tools.add(t);
        }
      }
      boolean ratios = tools.contains(Tool.S3FS.label) && tools.size() > 1;
      out.append("\n**").append(w).append("**\n\n| metric | latency |");
      for (String t : tools) {
        out.append(' ').append(t).append(" |");
      }
      if (ratios) {
        for (String t : tools) {
          if (!t.equals(Tool.S3FS.label)) {
            out.append(' ').append(t).append(" ÷ s3fs |");
          }
        }
      }
      out.append("\n|---|--:|").append("--:|".repeat(tools.size() + (ratios ? tools.size() - 1 : 0))).append('\n');
      List<Key> rows = values.keySet().stream().filter(k -> k.workload().equals(w))
          .map(k -> new Key(w, k.metric(), k.latencyMs(), "")).distinct().toList();
      for (Key r : rows) {
        String unit = unit(w, r.metric());
        out.append("| ").append(r.metric()).append(unit.isEmpty() ? "" : " (" + unit + ")").append(" | ")
            .append(r.latencyMs()).append(" ms |");
        for (String t : tools) {
          Double m = median(w, r.metric(), r.latencyMs(), t);
          out.append(' ').append(m == null ? "" : pretty(m)).append(" |");
        }
        if (ratios) {
          for (String t : tools) {
            if (!t.equals(Tool.S3FS.label)) {
              Double ratio = ratioToS3fs(new Key(w, r.metric(), r.latencyMs(), t));
              out.append(' ').append(ratio == null ? "" : String.format(Locale.ROOT, ratio >= 10 ? "%.0f" : ratio >= 0.1 ? "%.2f" : "%.3f", ratio)).append(" |");
            }
          }
        }
        out.append('\n');
      }
    }
    if (!notes.isEmpty()) {
      out.append("\nNotes:\n\n");
      for (Map.Entry<String, Set<String>> n : notes.entrySet()) {
        out.append("- ").append(n.getKey()).append(": ").append(String.join("; ", n.getValue())).append('\n');
      }
    }
    return out.toString();
  }

  static String pretty(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e12) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
  }

  private static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String q(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}

package io.s3repofs.store;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/** Counts every HTTP request sent (retries included), by S3 operation name. */
public final class RequestCounter implements ExecutionInterceptor {

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  @Override
  public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
    String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    counts.computeIfAbsent(operation == null ? "Unknown" : operation, k -> new LongAdder()).increment();
  }

  /** Counts a request sent around the SDK's pipeline ({@link DirectRequests}). */
  void count(String operation) {
    counts.computeIfAbsent(operation, k -> new LongAdder()).increment();
  }

  /** Requests sent so far, by operation, sorted by name. */
  public Map<String, Long> snapshot() {
    Map<String, Long> result = new TreeMap<>();
    counts.forEach((op, n) -> result.put(op, n.sum()));
    return result;
  }

  public long total() {
    return counts.values().stream().mapToLong(LongAdder::sum).sum();
  }
}

package dev.sreagent.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The event bus bench against a real Redis: {@code mvn -B -Pit verify -pl sre-agent-redis -am
 * -Dit.test=RedisStreamBenchIT -Dredis.uri=redis://127.0.0.1:6379 [-Dbench.events=5000 -Dbench.trials=5]}, or
 * {@link #main} with the URI. Per trial, on a fresh stream: one thread publishes the events (synchronous XADD, one
 * round trip each); one consumer reads and acknowledges them (XREADGROUP batches of 100, one XACK per entry); another
 * group does the same with de-duplication by event id (SET NX, handler, SET done, XACK). Prints events/s per trial and
 * the median over the trials.
 */
class RedisStreamBenchIT {
  record Result(double publishPerSecond, double consumePerSecond, double dedupConsumePerSecond) {}

  @Test
  void eventsPerSecond() throws Exception {
    try (RedisServer redis = RedisServer.shared()) {
      Result r = bench(redis.uri(), Integer.getInteger("bench.events", 5000), Integer.getInteger("bench.trials", 5),
          System.out);
      assertThat(r.publishPerSecond()).isPositive();
      assertThat(r.consumePerSecond()).isPositive();
    }
  }

  static Result bench(String uri, int events, int trials, PrintStream out) {
    out.printf(Locale.ROOT, "%-8s %8s %14s %18s %24s%n", "trial", "events", "publish ev/s", "consume+ack ev/s",
        "dedup consume+ack ev/s");
    run(uri, Math.min(events, 1000)); // warm-up
    List<Result> all = new ArrayList<>();
    for (int t = 0; t < trials; t++) {
      Result r = run(uri, events);
      all.add(r);
      out.printf(Locale.ROOT, "%-8d %8d %14.0f %18.0f %24.0f%n", t + 1, events, r.publishPerSecond(),
          r.consumePerSecond(), r.dedupConsumePerSecond());
    }
    Result median = new Result(median(all.stream().mapToDouble(Result::publishPerSecond).toArray()),
        median(all.stream().mapToDouble(Result::consumePerSecond).toArray()),
        median(all.stream().mapToDouble(Result::dedupConsumePerSecond).toArray()));
    out.printf(Locale.ROOT, "%-8s %8d %14.0f %18.0f %24.0f%n", "median", events, median.publishPerSecond(),
        median.consumePerSecond(), median.dedupConsumePerSecond());
    return median;
  }

  private static Result run(String uri, int events) {
    String stream = "bench:" + UUID.randomUUID();
    try (RedisEventBus bus = RedisEventBus.builder(uri).setStream(stream).setKeyPrefix(stream + ":")
        .setMaxLength(Math.max(events * 2L, 1000)).build()) {
      bus.length(); // connect before timing
      long t0 = System.nanoTime();
      for (int i = 0; i < events; i++) {
        bus.publish(new StreamEvent("ev-" + i, "incident.updated", "INC-" + (i % 100), "{\"n\":" + i + "}"));
      }
      double publish = events / seconds(t0);
      double consume = drain(bus.consumer("plain", "c", e -> {}).setBatchSize(100)
          .setBlock(Duration.ofMillis(50)).build(), events);
      double dedup = drain(bus.consumer("dedup", "c", e -> {}).setBatchSize(100).setBlock(Duration.ofMillis(50))
          .setDeduplication(Duration.ofMinutes(1), StreamEvent::eventId).build(), events);
      return new Result(publish, consume, dedup);
    }
  }

  private static double drain(RedisEventConsumer consumer, int events) {
    try (consumer) {
      consumer.reclaim(); // creates the group and connects before timing
      long t0 = System.nanoTime();
      int acked = 0;
      while (acked < events) {
        acked += consumer.poll();
      }
      return events / seconds(t0);
    }
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    java.util.Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  public static void main(String[] args) {
    bench(args.length > 0 ? args[0] : "redis://127.0.0.1:6379", 5000, 5, System.out);
  }
}

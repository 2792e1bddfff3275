package dev.sreagent.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RecordingStream}: lazy reading, time order restored within its bounds, late items delivered and counted. */
class RecordingStreamTest {
  /** A long CSV, one item per line, the value naming the item. */
  static Path recording(Path dir, List<Long> seconds) throws IOException {
    StringBuilder b = new StringBuilder("timestamp,service,metric,value\n");
    for (int i = 0; i < seconds.size(); i++) {
      b.append(seconds.get(i)).append(",cart,p99,").append(i).append('\n');
    }
    return Files.writeString(dir.resolve("r.csv"), b);
  }

  /** Which line (0-based) an item came from: its value. */
  static int index(OtlpRecording.Item item) {
    return (int) item.body().path("resourceMetrics").get(0).path("scopeMetrics").get(0).path("metrics").get(0)
        .path("gauge").path("dataPoints").get(0).path("asDouble").asDouble();
  }

  static List<OtlpRecording.Item> drain(RecordingStream stream) throws IOException {
    List<OtlpRecording.Item> out = new ArrayList<>();
    for (OtlpRecording.Item i = stream.next(); i != null; i = stream.next()) {
      out.add(i);
    }
    return out;
  }

  /** 20,000 lines a second apart, shuffled within blocks of 50: out of order by at most 49 places and 49 s. */
  private static List<Long> shuffledInBlocks(int n, int block, long seed) {
    List<Long> times = new ArrayList<>();
    Random random = new Random(seed);
    for (int start = 0; start < n; start += block) {
      List<Long> part = new ArrayList<>();
      for (int i = start; i < Math.min(n, start + block); i++) {
        part.add(1_661_144_760L + i);
      }
      Collections.shuffle(part, random);
      times.addAll(part);
    }
    return times;
  }

  @Test
  void manyLinesOutOfOrderWithinTheCapacityComeOutInTimeOrderHoldingAtMostTheCapacity(@TempDir Path dir)
      throws Exception {
    List<Long> times = shuffledInBlocks(20_000, 50, 1);
    try (RecordingStream stream = OtlpRecording.open(recording(dir, times), 100, Duration.ofDays(1))) {
      List<OtlpRecording.Item> items = drain(stream);
      assertThat(items).hasSize(20_000);
      assertThat(items).extracting(OtlpRecording.Item::timeNanos).isSorted();
      assertThat(items).extracting(RecordingStreamTest::index).doesNotHaveDuplicates();
      assertThat(stream.late()).isZero();
      assertThat(stream.firstLate()).isNull();
      assertThat(stream.maxBuffered()).isEqualTo(100);
      assertThat(stream.delivered()).isEqualTo(20_000);
      assertThat(stream.firstTime()).isEqualTo(1_661_144_760L * 1_000_000_000L);
    }
  }

  @Test
  void theHorizonKeepsTheBufferToTheRecordedTimeItSpans(@TempDir Path dir) throws Exception {
    List<Long> times = shuffledInBlocks(20_000, 50, 2);
    try (RecordingStream stream = OtlpRecording.open(recording(dir, times), 10_000, Duration.ofSeconds(60))) {
      assertThat(drain(stream)).hasSize(20_000).extracting(OtlpRecording.Item::timeNanos).isSorted();
      assertThat(stream.late()).isZero();
      // at most 61 s of records a second apart, and one read past them
      assertThat(stream.maxBuffered()).isBetween(50, 112);
    }
  }

  @Test
  void anItemLaterThanTheBufferAllowsIsDeliveredCountedAndNamedNotDropped(@TempDir Path dir) throws Exception {
    List<Long> times = new ArrayList<>();
    for (int i = 0; i <= 15; i++) {
      times.add(1_661_144_760L + 60L * i);  // 15 minutes, a minute apart
    }
    times.add(1_661_144_760L + 100);  // line 18: 14 minutes behind the record before it
    times.add(1_661_144_760L + 960);
    try (RecordingStream stream = OtlpRecording.open(recording(dir, times), 10_000, Duration.ofMinutes(5))) {
      List<OtlpRecording.Item> items = drain(stream);
      assertThat(items).extracting(RecordingStreamTest::index).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8,
          9, 10, 11, 12, 13, 14, 15, 16, 17);
      int at = items.stream().map(RecordingStreamTest::index).toList().indexOf(16);
      // delivered as soon as the buffer let one go: after the minutes already gone, ahead of those still held
      assertThat(items.get(at - 1).timeNanos()).isGreaterThan(items.get(at).timeNanos());
      assertThat(items.subList(at + 1, items.size())).extracting(OtlpRecording.Item::timeNanos).isSorted();
      assertThat(stream.late()).isEqualTo(1);
      assertThat(stream.firstLate()).contains("r.csv:18 at 2022-08-22T05:07:40Z, after");
    }
  }

  @Test
  void readIsTheWholeRecordingSortedAsBefore(@TempDir Path dir) throws Exception {
    List<Long> times = List.of(30L, 10L, 20L, 10L, 5L);
    List<OtlpRecording.Item> items = OtlpRecording.read(recording(dir, times));
    assertThat(items).extracting(RecordingStreamTest::index).containsExactly(4, 1, 3, 2, 0);
  }

  @Test
  void aBrokenLineIsNamedByTheNextThatReachesIt(@TempDir Path dir) throws Exception {
    Path csv = Files.writeString(dir.resolve("b.csv"), "timestamp,service,metric,value\n1661144760,cart,p99,1\n"
        + "1661144820,cart,p99\n");
    try (RecordingStream stream = OtlpRecording.open(csv, 1, Duration.ofMinutes(5))) {
      assertThat(stream.next()).isNotNull();
      assertThatThrownBy(stream::next).hasMessageContaining("b.csv:3: expected 4 columns, got 3");
    }
    assertThatThrownBy(() -> OtlpRecording.open(csv, 0, Duration.ofMinutes(5)))
        .hasMessageContaining("capacity must be at least 1 item");
  }
}

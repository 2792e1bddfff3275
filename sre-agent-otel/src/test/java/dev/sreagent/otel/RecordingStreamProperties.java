package dev.sreagent.otel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** Invariants of {@link RecordingStream} over any recording and any bounds. */
class RecordingStreamProperties {
  @Property(tries = 200)
  void everyItemIsDeliveredOnceWithinTheBoundAndInOrderWhenNoneIsLate(
      @ForAll @Size(max = 300) List<@LongRange(min = 1_600_000_000L, max = 1_600_003_600L) Long> seconds,
      @ForAll @IntRange(min = 1, max = 400) int capacity, @ForAll @IntRange(min = 0, max = 4000) int horizon)
      throws Exception {
    Path dir = Files.createTempDirectory("stream");
    try (RecordingStream stream = OtlpRecording.open(RecordingStreamTest.recording(dir, seconds), capacity,
        Duration.ofSeconds(horizon))) {
      List<OtlpRecording.Item> items = RecordingStreamTest.drain(stream);
      assertThat(items).extracting(RecordingStreamTest::index)
          .containsExactlyInAnyOrderElementsOf(IntStream.range(0, seconds.size()).boxed().toList());
      assertThat(stream.maxBuffered()).isLessThanOrEqualTo(capacity);
      if (stream.late() == 0) {
        assertThat(items).extracting(OtlpRecording.Item::timeNanos).isSorted();
      }
      if (capacity >= seconds.size() && horizon >= 3600) { // unbounded: a stable sort, as read(Path)
        assertThat(items).extracting(RecordingStreamTest::index).containsExactlyElementsOf(IntStream
            .range(0, seconds.size()).boxed().sorted(Comparator.comparing(seconds::get)).toList());
      }
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(dir);
    }
  }
}

package dev.sreagent.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.AlertEvent;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Signal;
import dev.sreagent.otel.OtlpHttpReceiver.Endpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Review of {@link OtlpRecording} (run --replay): the inputs a recording meets in the wild. */
class OtlpRecordingAdversarialTest {
  private static long nanos(String iso) {
    Instant t = Instant.parse(iso);
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  @Test
  void unsortedRowsAreOrderedByTimeAndDuplicateTimesKeepTheirFileOrder(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("long.csv");
    Files.writeString(csv, "timestamp,service,metric,value\n"
        + "1661146260,cart,p99,2\n1661146200,cart,p99,1\n1661146260,front,p99,3\n1661146200,front,p99,4\n");
    List<OtlpRecording.Item> items = OtlpRecording.read(csv);
    assertThat(items).extracting(i -> i.timeNanos() / 1_000_000_000L + " "
            + i.body().findValue("asDouble").asDouble())
        .containsExactly("1661146200 1.0", "1661146200 4.0", "1661146260 2.0", "1661146260 3.0");
  }

  @Test
  void aRecordingOlderThanTheReceiversMaxSampleAgeIsAcceptedOnItsOwnClockAcrossAGapOfADay(@TempDir Path dir)
      throws Exception {
    Path csv = dir.resolve("old.csv");
    // 2019, and a day between the two rows: each is judged against the recording's clock, not today's
    Files.writeString(csv, "timestamp,service,metric,value\n1546300800,cart,p99,0.1\n1546387200,cart,p99,0.2\n");
    List<Integer> statuses = new ArrayList<>();
    List<Signal> signals = OtlpRecordingTest.received(OtlpRecording.read(csv), statuses);
    assertThat(statuses).containsExactly(200, 200);
    assertThat(signals).filteredOn(s -> s instanceof MetricSample).hasSize(2);
  }

  @Test
  void aWideCsvServiceNameWithDotsIsSplitOnTheLastDot(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("wide.csv");
    Files.writeString(csv, "timestamp,api.v2.internal.p99\n1661146200,0.5\n");
    List<Signal> signals = OtlpRecordingTest.received(OtlpRecording.read(csv), new ArrayList<>());
    assertThat(signals).filteredOn(s -> s instanceof MetricSample).map(s -> (MetricSample) s)
        .extracting(m -> m.service() + " " + m.name()).containsExactly("api.v2.internal p99");
  }

  @Test
  void aWideCsvWithQuotedCellsIsRefusedNamingTheLineNotMisread(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("quoted.csv");
    Files.writeString(csv, "timestamp,cart.p99\n1661146200,\"0.5\"\n");
    assertThatThrownBy(() -> OtlpRecording.read(csv)).hasMessageContaining("quoted.csv:2 (column cart.p99)");
    Path header = dir.resolve("quoted-header.csv");
    Files.writeString(header, "\"timestamp\",\"cart.p99\"\n1661146200,0.5\n");
    assertThatThrownBy(() -> OtlpRecording.read(header)).hasMessageContaining("quoted-header.csv:1:");
  }

  @Test
  void aFileWithOnlyAHeaderHoldsNoRecords(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("empty.csv");
    Files.writeString(csv, "timestamp,service,metric,value\n");
    assertThat(OtlpRecording.read(csv)).isEmpty();
  }

  @Test
  void anAlertmanagerLineWithOnlyResolvedAlertsIsTimedByItsEndsAt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("resolved.jsonl");
    Files.writeString(file, "{\"status\":\"resolved\",\"alerts\":[{\"status\":\"resolved\",\"labels\":{"
        + "\"alertname\":\"Slow\",\"service\":\"cart\"},\"startsAt\":\"2023-04-18T22:40:05Z\","
        + "\"endsAt\":\"2023-04-18T22:55:00Z\"}]}\n");
    List<OtlpRecording.Item> items = OtlpRecording.read(file);
    assertThat(items).singleElement().satisfies(i -> {
      assertThat(i.endpoint()).isEqualTo(Endpoint.ALERTMANAGER);
      assertThat(i.timeNanos()).isEqualTo(nanos("2023-04-18T22:55:00Z"));
    });
    List<Integer> statuses = new ArrayList<>();
    List<Signal> signals = OtlpRecordingTest.received(items, statuses);
    assertThat(statuses).containsExactly(200);
    assertThat(signals).allSatisfy(s -> assertThat(s).isInstanceOf(AlertEvent.class));
  }

  /** The class promises ISO-8601 "with or without an offset (UTC when none)": fractions of a second included. */
  @Test
  void anIsoTimestampWithFractionalSecondsAndNoOffsetIsReadAsUtc() throws Exception {
    assertThat(OtlpRecording.timestamp("2026-12-06 20:00:00.500", "x")).isEqualTo(nanos("2026-12-06T20:00:00.500Z"));
    assertThat(OtlpRecording.timestamp("2026-12-06T20:00:00.123456", "x"))
        .isEqualTo(nanos("2026-12-06T20:00:00.123456Z"));
    assertThat(OtlpRecording.timestamp("2026-12-06T20:00:00Z", "x")).isEqualTo(nanos("2026-12-06T20:00:00Z"));
    assertThat(OtlpRecording.timestamp("2026-12-06T21:00:00+01:00", "x")).isEqualTo(nanos("2026-12-06T20:00:00Z"));
  }

  /**
   * Epoch microseconds or nanoseconds (what OTLP itself uses) were read as milliseconds: 1.7e15 us became a time past
   * Long.MAX_VALUE nanoseconds, silently clamped, and a replay would then tick 15 s at a time towards it.
   */
  @Test
  void epochMicrosAndNanosAreReadAsSuchNotAsMillis() throws Exception {
    long expected = nanos("2026-12-06T20:00:00.123456Z");
    assertThat(OtlpRecording.timestamp("1796587200", "x")).isEqualTo(nanos("2026-12-06T20:00:00Z"));
    assertThat(OtlpRecording.timestamp("1796587200123", "x")).isEqualTo(nanos("2026-12-06T20:00:00.123Z"));
    assertThat(OtlpRecording.timestamp("1796587200123456", "x")).isEqualTo(expected);
    assertThat(OtlpRecording.timestamp("1796587200123456789", "x")).isEqualTo(expected + 789);
  }

  /** A spreadsheet's UTF-8 CSV (byte order mark, CRLF, spaces after the commas of the header) reads as any other. */
  @Test
  void aSpreadsheetCsvWithAByteOrderMarkCrlfAndSpacedHeaderIsRead(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("excel.csv");
    Files.writeString(csv, "\uFEFFtimestamp, service, metric, value\r\n1661146200,cart,p99,0.1\r\n");
    assertThat(OtlpRecording.read(csv)).singleElement()
        .satisfies(i -> assertThat(i.timeNanos()).isEqualTo(1661146200_000_000_000L));
    Path json = dir.resolve("bom.jsonl");
    Files.writeString(json, "\uFEFF{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"A\","
        + "\"service\":\"cart\"},\"startsAt\":\"2023-04-18T22:40:05Z\"}]}\n");
    assertThat(OtlpRecording.read(json)).singleElement()
        .satisfies(i -> assertThat(i.endpoint()).isEqualTo(Endpoint.ALERTMANAGER));
  }
}

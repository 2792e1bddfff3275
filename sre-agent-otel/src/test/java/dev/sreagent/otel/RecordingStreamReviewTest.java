package dev.sreagent.otel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Review of the reorder buffer: wide rows of a thousand services, the horizon's edge, a record from long ago. */
class RecordingStreamReviewTest {
  private static List<OtlpRecording.Item> drain(RecordingStream s) throws Exception {
    List<OtlpRecording.Item> out = new ArrayList<>();
    for (OtlpRecording.Item i = s.next(); i != null; i = s.next()) {
      out.add(i);
    }
    return out;
  }

  @Test
  void aWideRowOfAThousandServicesHoldsTheBufferToItsCapacityPlusOneRow(@TempDir Path dir) throws Exception {
    StringBuilder b = new StringBuilder("timestamp");
    for (int c = 0; c < 1000; c++) {
      b.append(",svc-").append(c).append(".p99");
    }
    b.append("\r\n");
    for (int r = 0; r < 30; r++) {
      b.append(1661146200L + 60L * r);
      b.append(",0.1".repeat(1000)).append("\r\n");
    }
    Path csv = Files.writeString(dir.resolve("wide.csv"), b.toString());
    try (RecordingStream s = OtlpRecording.open(csv, 100, Duration.ofMinutes(5))) {
      List<OtlpRecording.Item> items = drain(s);
      assertThat(items).hasSize(30_000);
      assertThat(s.maxBuffered()).isLessThanOrEqualTo(100 + 999);
      assertThat(s.late()).isZero();
    }
  }

  @Test
  void aRecordExactlyAtTheHorizonIsReorderedEqualTimesKeepFileOrderAndOneFromLongAgoIsFedLate(@TempDir Path dir)
      throws Exception {
    StringBuilder b = new StringBuilder("timestamp,service,metric,value\n");
    b.append("1661146500,a,p99,1\n"); // five minutes after the next: exactly the horizon, still put in order
    b.append("1661146200,b,p99,2\n");
    b.append("1661146200,c,p99,3\n"); // equal times: file order
    for (int i = 0; i < 500; i++) {
      b.append(1661146500L + 60L * i).append(",d,p99,4\n");
    }
    b.append("1500000000,old,p99,5\n"); // years before, after a long run: fed, counted, not dropped
    Path csv = Files.writeString(dir.resolve("long.csv"), b.toString());
    try (RecordingStream s = OtlpRecording.open(csv)) {
      List<String> order = new ArrayList<>();
      for (OtlpRecording.Item i : drain(s)) {
        order.add(i.body().findValue("stringValue").asText());
      }
      assertThat(order.subList(0, 3)).containsExactly("b", "c", "a");
      assertThat(order).hasSize(504).contains("old");
      assertThat(s.late()).isEqualTo(1);
      assertThat(s.firstLate()).contains(csv + ":505 at 2017-07-14T02:40:00Z");
    }
  }
}

package dev.sreagent.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Review of the wide CSV's header: quoted names, one series named twice, odd but valid service names. */
class WideColumnReviewTest {
  @Test
  void aQuotedHeaderNameIsRefusedNotKeptWithItsQuotes(@TempDir Path dir) throws Exception {
    Path csv = Files.writeString(dir.resolve("q.csv"), "timestamp,\"cart.p99\",\"front->cart.lat\"\n1661146200,1,2\n");
    assertThatThrownBy(() -> OtlpRecording.read(csv)).hasMessageContaining(csv + ":1: column 2 \"cart.p99\" is quoted")
        .hasMessageContaining("without quotes");
  }

  @Test
  void twoColumnsNamingOneSeriesAreRefusedNotInterleaved(@TempDir Path dir) throws Exception {
    Path edge = Files.writeString(dir.resolve("e.csv"), "timestamp,a->b.lat,a -> b.lat\n1661146200,1,2\n");
    assertThatThrownBy(() -> OtlpRecording.read(edge)).hasMessageContaining(edge + ":1: column 3 'a -> b.lat' names"
        + " the series of column 2 'a->b.lat' again");
    Path plain = Files.writeString(dir.resolve("p.csv"), "timestamp,cart.p99,cart . p99\n1661146200,1,2\n");
    assertThatThrownBy(() -> OtlpRecording.read(plain)).hasMessageContaining("column 3 'cart . p99' names the series"
        + " of column 2");
  }

  @Test
  void dotsSpacesAndUnicodeInServiceNamesArriveAsWritten(@TempDir Path dir) throws Exception {
    Path csv = Files.writeString(dir.resolve("u.csv"), "timestamp,front.end v2->cärt svc.lat,cärt svc.p99\r\n"
        + "1661146200,0.5,0.1\r\n");
    List<OtlpRecording.Item> items = OtlpRecording.read(csv);
    assertThat(items).hasSize(2);
    assertThat(items.get(0).body().toString()).contains("\"stringValue\":\"front.end v2\"")
        .contains("\"key\":\"peer.service\",\"value\":{\"stringValue\":\"cärt svc\"}");
    assertThat(items.get(1).body().toString()).contains("\"stringValue\":\"cärt svc\"").contains("\"name\":\"p99\"");
  }
}

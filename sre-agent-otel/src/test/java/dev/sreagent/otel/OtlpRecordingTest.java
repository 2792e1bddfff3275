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

class OtlpRecordingTest {
  /** What a receiver on the recording's own clock makes of every item; each answer's status goes to {@code statuses}. */
  static List<Signal> received(List<OtlpRecording.Item> items, List<Integer> statuses) {
    long[] now = {items.get(0).timeNanos()};
    OtlpHttpReceiver receiver = OtlpHttpReceiver.builder().setListen(false)
        .setClock(() -> Instant.ofEpochSecond(0, now[0])).build();
    List<Signal> out = new ArrayList<>();
    receiver.start(s -> out.add(s));
    for (OtlpRecording.Item item : items) {
      now[0] = item.timeNanos();
      statuses.add(receiver.receive(item.endpoint(), "application/json", item.bytes()).status());
    }
    receiver.close();
    return out;
  }

  /** As above, every item accepted. */
  private static List<Signal> received(List<OtlpRecording.Item> items) {
    List<Integer> statuses = new ArrayList<>();
    List<Signal> out = received(items, statuses);
    assertThat(statuses).containsOnly(200);
    return out;
  }

  @Test
  void aWideCsvBecomesOneRequestPerRowAndServiceWithItsPodAndOnePerCallerForItsEdges(@TempDir Path dir)
      throws Exception {
    Path csv = dir.resolve("case.csv");
    Files.writeString(csv, "timestamp,cart.PodServerLatencyP99(s),cart.CpuUsageRate(%),front->cart.latency_src50,"
        + "front.PodServerLatencyP99(s)\n"
        + "1661146200,0.012,7.5,0.003,\n"
        + "1661146260,,8.0,0.004,0.020\n");
    List<OtlpRecording.Item> items = OtlpRecording.read(csv);
    assertThat(items).hasSize(5).allSatisfy(i -> assertThat(i.endpoint()).isEqualTo(Endpoint.METRICS));
    assertThat(items.get(0).timeNanos()).isEqualTo(1661146200_000_000_000L);
    List<Signal> signals = received(items);
    assertThat(signals).filteredOn(s -> s instanceof MetricSample).map(s -> (MetricSample) s)
        .extracting(m -> m.service() + " " + m.name() + " " + m.value() + " " + m.attribute("k8s.pod.name") + " "
            + m.attribute("peer.service"))
        .containsExactlyInAnyOrder("cart PodServerLatencyP99(s) 0.012 cart null", "cart CpuUsageRate(%) 7.5 cart null",
            "cart CpuUsageRate(%) 8.0 cart null", "front PodServerLatencyP99(s) 0.02 front null",
            "front latency_src50 0.003 null cart", "front latency_src50 0.004 null cart");
  }

  /**
   * An edge column's point carries exactly the attributes {@code bench rca} gives it (service.name of the caller,
   * peer.service of the callee, no pod), so that the mapping turns it into the same call edge's client latency.
   */
  @Test
  void anEdgeColumnArrivesAsTheCallersSampleWithThePeerAsBenchRcaFeedsIt(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("edges.csv");
    Files.writeString(csv, "timestamp,checkoutservice->cartservice.latency_src50,checkoutservice->emailservice"
        + ".latency_src50\n1661146200,0.003,0.005\n");
    List<OtlpRecording.Item> items = OtlpRecording.read(csv);
    assertThat(items).singleElement();
    assertThat(received(items)).map(s -> (MetricSample) s)
        .extracting(m -> m.service() + " " + new java.util.TreeMap<>(m.attributes()) + " " + m.value())
        .containsExactly("checkoutservice {peer.service=cartservice, service.name=checkoutservice} 0.003",
            "checkoutservice {peer.service=emailservice, service.name=checkoutservice} 0.005");
  }

  @Test
  void aMalformedEdgeColumnIsRefusedNamingItsPlaceAndTheFix(@TempDir Path dir) throws Exception {
    for (String column : List.of("a->.p50", "->b.p50", "a->b->c.p50", "a->a.p50")) {
      Path csv = dir.resolve("bad.csv");
      Files.writeString(csv, "timestamp,a.p99," + column + "\n1661146200,0.1,0.2\n");
      assertThatThrownBy(() -> OtlpRecording.read(csv)).as(column)
          .hasMessageContaining("bad.csv:1: column 3 '" + column + "' names")
          .hasMessageContaining("a call edge's column is <caller>-><callee>.<metric> with two different services:"
              + " rename or remove it");
    }
  }

  @Test
  void anAlertmanagerNotificationIsTimedByItsAlertsAndGoesToTheWebhook(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("alerts.jsonl");
    Files.writeString(file, "{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"PetSiteSlow\","
        + "\"service\":\"PetSite\",\"severity\":\"critical\"},\"startsAt\":\"2023-04-18T22:40:05Z\"}]}\n");
    List<OtlpRecording.Item> items = OtlpRecording.read(file);
    assertThat(items).singleElement().satisfies(i -> {
      assertThat(i.endpoint()).isEqualTo(Endpoint.ALERTMANAGER);
      assertThat(Instant.ofEpochSecond(0, i.timeNanos())).isEqualTo(Instant.parse("2023-04-18T22:40:05Z"));
    });
    assertThat(received(items)).singleElement().isInstanceOfSatisfying(AlertEvent.class,
        a -> assertThat(a.service()).isEqualTo("PetSite"));
  }

  @Test
  void aBadLineIsNamedWithItsFileAndLine(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("wide.csv");
    Files.writeString(csv, "timestamp,cart.p99\n1661146200,0.1\n1661146260,fast\n");
    assertThatThrownBy(() -> OtlpRecording.read(csv)).hasMessageContaining("wide.csv:3 (column cart.p99): value"
        + " 'fast' is not a number");
    Path json = dir.resolve("x.jsonl");
    Files.writeString(json, "{\"resourceMetrics\":[]}\n");
    assertThatThrownBy(() -> OtlpRecording.read(json)).hasMessageContaining("x.jsonl:1: the request carries no"
        + " timeUnixNano");
  }
}

package dev.sreagent.otel;

import dev.sreagent.api.port.TelemetrySource;
import dev.sreagent.testkit.contract.TelemetrySourceContract;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;

/** The OTLP/HTTP receiver keeps the telemetry-source contract, over real HTTP on a loopback port. */
class OtlpHttpReceiverContractTest extends TelemetrySourceContract {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Override
  protected TelemetrySource create() {
    return OtlpHttpReceiver.builder().setPort(0).build();
  }

  @Override
  protected void produce(TelemetrySource source) throws Exception {
    long nanos = Instant.now().toEpochMilli() * 1_000_000;
    String body = "{\"resourceMetrics\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":"
        + "{\"stringValue\":\"cart\"}}]},\"scopeMetrics\":[{\"metrics\":[{\"name\":\"queue.depth\",\"gauge\":"
        + "{\"dataPoints\":[{\"asInt\":\"7\",\"timeUnixNano\":\"" + nanos + "\"}]}}]}]}]}";
    HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ((OtlpHttpReceiver) source).port()
        + "/v1/metrics")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }
}

package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Phase;
import dev.sreagent.testkit.Fault;
import dev.sreagent.testkit.SimulationHarness;
import dev.sreagent.testkit.VirtualClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DashboardServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesThePageTheStateAndTakesAnApprovalThatResolvesTheIncident() throws Exception {
    DemoState state = new DemoState(VirtualClock.DEFAULT_START);
    try (DashboardServer server = new DashboardServer(0, state);
        SimulationHarness h = SimulationHarness.builder().setPhase(Phase.ASSIST).setOnCallResponse(null)
            .setAgentCustomizer(ab -> ab.addNotifier(state)).setStepListener(state::onStep).build()) {
      int port = server.port();
      assertThat(get(port, "/").body()).contains("<title>sre-agent dashboard</title>");
      assertThat(post(port, "/api/decide?incident=INC-0001&planHash=x&approve=true").statusCode()).isEqualTo(409);

      state.startScenario("certificate-expiry", "test", "ASSIST");
      h.runFor(Duration.ofMinutes(30));
      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
      h.runFor(Duration.ofMinutes(3));
      String json = get(port, "/api/state").body();
      assertThat(json).contains("\"state\":\"AWAITING_APPROVAL\"").contains("renew-certificate(payments;");
      String hash = h.agent().pendingApprovals().get(0).planHash();
      assertThat(json).contains(hash);

      assertThat(post(port, "/api/decide?incident=INC-0001&planHash=" + hash + "&approve=true").statusCode())
          .isEqualTo(202);
      h.runFor(Duration.ofMinutes(10));
      assertThat(get(port, "/api/state").body()).contains("\"state\":\"RESOLVED\"");
      assertThat(h.agent().auditLog().records()).anyMatch(r -> r.entry().actor().equals("dashboard")
          && r.entry().type().equals("approval.granted"));
    }
  }
}

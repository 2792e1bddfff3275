package dev.sreagent.testkit.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.core.ModelJson;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.audit.AuditKey;
import dev.sreagent.core.execution.ExecutorPolicy;
import dev.sreagent.testkit.SimulatedOnCall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An agent process driving a {@link ClusterServer}: {@code java ... RemoteAgentMain <baseUrl> <auditFile>
 * [<auditKeyFile>]}. It replays its audit log (keyed with the key in {@code auditKeyFile} when given) on start, then
 * steps the cluster and ticks until the server says done. Crash tests kill it at random points and start it again.
 */
public final class RemoteAgentMain {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private RemoteAgentMain() {}

  public static void main(String[] args) throws Exception {
    String base = args[0];
    Path audit = Path.of(args[1]);
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-02T08:00:00Z"));
    var builder = SreAgent.builder()
        .setClock(now::get)
        .setActionThreads(0) // the parent steps the clock: each action lands in the tick that starts it
        .setTopologyProvider(() -> ModelJson.read(call(base + "/topology", null).body(), Topology.class))
        .addExecutor(new RemoteExecutor(base), ExecutorPolicy.defaults().withTimeout(Duration.ofSeconds(5)))
        .setApprovalChannel(SimulatedOnCall.approvingAfter(now::get, Duration.ZERO))
        .setDefaultPhase(Phase.AUTONOMOUS)
        .setDiscovery(false)
        .setAuditFile(audit);
    if (args.length > 2) {
      builder.setAuditKey(AuditKey.fromFile(Path.of(args[2])));
    }
    drive(base, builder.build(), now);
    System.exit(0);
  }

  /**
   * Steps the {@link ClusterServer} at {@code base} and ticks {@code agent} once per step, its clock ({@code now})
   * following the server's, until the server says done; then closes the agent.
   */
  public static void drive(String base, SreAgent agent, AtomicReference<Instant> now) throws IOException {
    while (true) {
      JsonNode reply = MAPPER.readTree(call(base + "/step", "{}").body());
      now.set(Instant.parse(reply.get("now").asText()));
      if (reply.get("done").asBoolean()) {
        agent.tick();
        break;
      }
      for (JsonNode s : reply.get("signals")) {
        agent.sink().accept(MAPPER.treeToValue(s, SignalDto.class).toSignal());
      }
      agent.tick();
    }
    agent.close();
  }

  /** A GET (when {@code postBody} is null) or POST of JSON to {@code url}, with a 30 s time limit. */
  public static HttpResponse<String> call(String url, @org.jspecify.annotations.Nullable String postBody) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
      if (postBody != null) {
        b.POST(HttpRequest.BodyPublishers.ofString(postBody)).header("Content-Type", "application/json");
      }
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Executes actions on a {@link ClusterServer}, naming the agent that asks when built with one. */
  public static final class RemoteExecutor implements ActionExecutor {
    private final String base;
    private final String query;

    RemoteExecutor(String base) {
      this(base, null);
    }

    /** An executor on the server at {@code base} for agent {@code agent} (null: unnamed). */
    public RemoteExecutor(String base, @org.jspecify.annotations.Nullable String agent) {
      this.base = base;
      this.query = agent == null ? "" : "?agent=" + agent;
    }

    @Override
    public String name() {
      return "remote-cluster";
    }

    @Override
    public boolean supports(Action action) {
      return !(action instanceof Action.Custom);
    }

    @Override
    public ActionResult execute(Action action, ExecutionContext context) {
      Map<String, Object> body = new LinkedHashMap<>();
      try {
        body.put("action", MAPPER.readTree(ModelJson.write(action)));
        body.put("context", MAPPER.readTree(ModelJson.write(context)));
        return ModelJson.read(call(base + "/execute" + query, MAPPER.writeValueAsString(body)).body(), ActionResult.class);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public Optional<ActionResult> reconcile(String key) {
      HttpResponse<String> r = call(base + "/reconcile?key=" + key, null);
      return r.statusCode() == 200 ? Optional.of(ModelJson.read(r.body(), ActionResult.class)) : Optional.empty();
    }
  }
}

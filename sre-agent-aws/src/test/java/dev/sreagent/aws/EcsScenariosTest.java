package dev.sreagent.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.testkit.ScenarioResult;
import dev.sreagent.testkit.ScenarioRunner;
import dev.sreagent.testkit.Scenarios;
import dev.sreagent.testkit.SimulatedCluster;
import dev.sreagent.testkit.SimulationHarness;
import dev.sreagent.testkit.aws.AwsEmulator;
import dev.sreagent.testkit.aws.EcsSimulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;

/**
 * The agent on ECS: built-in scenarios of the simulated shop where the agent reads its topology through
 * {@link EcsTopology} and acts only through the ECS executors, over signed HTTP calls to the emulated API
 * ({@link EcsSimulation}); telemetry still comes from the simulation.
 */
class EcsScenariosTest {
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  /** Installs ECS into a harness: the simulation behind the emulator, the adapter's topology and executors. */
  private final class Platform {
    EcsSimulation sim;
    EcsAdapter adapter;
    ActionExecutor executors;
    long read = -1;

    SimulationHarness.Builder install(SimulationHarness.Builder b) {
      return b.setActionThreads(2).setExecutorWrapper(simulated -> executors(simulated.cluster()))
          .setAdvanceListener(cluster -> {
            sim.sync();
            if (sim.publications() != read) {  // read the API again only when it changed (as a 30 s poll would)
              read = sim.publications();
              adapter.topology().refresh();
            }
          })
          .addAgentCustomizer(agent -> agent.setTopologyProvider(() -> adapter.topology().topology()));
    }

    private synchronized ActionExecutor executors(SimulatedCluster cluster) {
      if (sim == null) {
        sim = EcsSimulation.start(cluster);
        AwsEmulator aws = sim.aws();
        EcsClient ecs = Emulated.ecs(aws);
        adapter = EcsAdapter.builder(ecs).setClusters(List.of(EcsSimulation.CLUSTER)).setClock(cluster.clock())
            .setAutoScaling(Emulated.http(), Emulated.credentials(aws), Region.of(aws.region()), aws.endpoint())
            .setRefreshInterval(Duration.ofHours(1)).setPollInterval(Duration.ofSeconds(5)).start();
        open.add(adapter);
        open.add(ecs);
        open.add(sim);
        List<ActionExecutor> all = adapter.executors();
        executors = new ActionExecutor() {
          @Override
          public String name() {
            return all.stream().map(ActionExecutor::name).collect(Collectors.joining("+"));
          }

          @Override
          public boolean supports(Action action) {
            return all.stream().anyMatch(e -> e.supports(action));
          }

          @Override
          public ActionResult execute(Action action, ExecutionContext context) {
            return all.stream().filter(e -> e.supports(action)).findFirst().orElseThrow().execute(action, context);
          }

          @Override
          public Optional<ActionResult> reconcile(String key) {
            return all.stream().map(e -> e.reconcile(key)).flatMap(Optional::stream).findFirst();
          }
        };
      }
      return executors;
    }
  }

  private record Run(ScenarioResult result, EcsSimulation ecs) {
    Set<String> writes() {
      return ecs.aws().calls().stream().map(AwsEmulator.Call::operation)
          .filter(o -> Set.of("UpdateService", "StopTask", "RegisterScalableTarget").contains(o))
          .collect(Collectors.toSet());
    }
  }

  private Run run(String scenario, Phase phase) {
    Platform p = new Platform();
    ScenarioRunner runner = new ScenarioRunner(phase, 42, Duration.ofMinutes(3), null, null, p::install);
    ScenarioResult result = runner.run(Scenarios.named(scenario).orElseThrow());
    return new Run(result, p.sim);
  }

  @Test
  void oomKillIsResolvedByStoppingTheLeakingTask() {
    Run run = run("oom-kill", Phase.AUTONOMOUS);
    assertThat(run.result().violations()).isEmpty();
    assertThat(run.result().outcome()).as(run.result().toString()).isEqualTo(ScenarioResult.Outcome.RESOLVED);
    assertThat(run.ecs().unattributed()).isEmpty();
    assertThat(run.ecs().aws().calls("StopTask")).isNotEmpty()
        .allSatisfy(c -> assertThat(c.body()).contains("cart-"));
    assertThat(run.ecs().cluster().oracle().effectsChecked()).isPositive();
  }

  @Test
  void highLatencyIsResolvedByRaisingTheScalableTargetsMinimumNotTheDesiredCount() {
    Run run = run("high-latency", Phase.AUTONOMOUS);
    assertThat(run.result().violations()).isEmpty();
    assertThat(run.result().passed()).as(run.result().toString()).isTrue();
    assertThat(run.ecs().unattributed()).isEmpty();
    int min = run.ecs().aws().ecs().scalableTarget(EcsSimulation.CLUSTER, "frontend").orElseThrow()[0];
    assertThat(min).isGreaterThan(4).isEqualTo(run.ecs().cluster().replicas("frontend"));
    assertThat(run.ecs().aws().calls("UpdateService")).isEmpty();
  }

  @Test
  void errorRateSpikeIsResolvedByTheLastHealthyTaskDefinition() {
    Run run = run("error-rate-spike", Phase.AUTONOMOUS);
    assertThat(run.result().violations()).isEmpty();
    assertThat(run.result().outcome()).as(run.result().toString()).isEqualTo(ScenarioResult.Outcome.RESOLVED);
    assertThat(run.ecs().unattributed()).isEmpty();
    assertThat(run.ecs().cluster().currentRevision("cart")).isEqualTo("r2");
    assertThat(run.ecs().aws().ecs().service(EcsSimulation.CLUSTER, "cart").taskDefinition())
        .isEqualTo(run.ecs().taskDefinition("cart"));
    assertThat(run.ecs().aws().calls("UpdateService")).singleElement()
        .satisfies(c -> assertThat(c.body()).contains("\"taskDefinition\":\"cart:"));
  }

  @Test
  void observeWritesNothingAndFaultsWithoutAnEcsExecutorAreEscalated() {
    Run observed = run("error-rate-spike", Phase.OBSERVE);
    assertThat(observed.writes()).isEmpty();
    assertThat(observed.ecs().aws().calls("TagResource")).isEmpty();
    Run disk = run("disk-exhaustion", Phase.AUTONOMOUS);
    assertThat(disk.result().violations()).isEmpty();
    assertThat(disk.result().outcome()).isNotEqualTo(ScenarioResult.Outcome.RESOLVED);
    assertThat(disk.writes()).isEmpty();
  }
}

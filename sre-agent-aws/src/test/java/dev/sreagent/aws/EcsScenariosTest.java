package dev.sreagent.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Phase;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.Clock;
import dev.sreagent.testkit.ScenarioResult;
import dev.sreagent.testkit.ScenarioRunner;
import dev.sreagent.testkit.Scenarios;
import dev.sreagent.testkit.aws.AwsEmulator;
import dev.sreagent.testkit.aws.EcsPlatform;
import dev.sreagent.testkit.aws.EcsSimulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.acm.AcmClient;
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

  /** The agent's hands on the emulator: the adapter over SDK clients with the emulator's keys. */
  static EcsPlatform.Hands hands(AwsEmulator aws, Clock clock) {
    EcsClient ecs = Emulated.ecs(aws);
    EcsAdapter adapter = EcsAdapter.builder(ecs).setClusters(List.of(EcsSimulation.CLUSTER)).setClock(clock)
        .setAutoScaling(Emulated.http(), Emulated.credentials(aws), Region.of(aws.region()), aws.endpoint())
        .setRefreshInterval(Duration.ofHours(1)).start();
    AcmClient acm = Emulated.acm(aws);
    List<ActionExecutor> executors = new ArrayList<>(adapter.executors());
    executors.add(AcmRenewExecutor.builder(acm).setClock(clock).build());
    software.amazon.awssdk.services.ssm.SsmClient ssm = Emulated.ssm(aws);
    executors.add(SsmLogTruncateExecutor.builder(ssm).setClock(clock).build());
    return new EcsPlatform.Hands(() -> adapter.topology().topology(), adapter.topology()::refresh, executors,
        adapter, ecs, acm, ssm);
  }

  private record Run(ScenarioResult result, EcsSimulation ecs) {
    Set<String> writes() {
      return ecs.aws().calls().stream().map(AwsEmulator.Call::operation)
          .filter(o -> Set.of("UpdateService", "StopTask", "RegisterScalableTarget").contains(o))
          .collect(Collectors.toSet());
    }
  }

  private Run run(String scenario, Phase phase) {
    EcsPlatform[] platform = new EcsPlatform[1];
    ScenarioRunner runner = new ScenarioRunner(phase, 42, Duration.ofMinutes(3), null, null, b -> {
      platform[0] = EcsPlatform.install(b, EcsScenariosTest::hands);
      open.add(platform[0]);
      return b;
    });
    ScenarioResult result = runner.run(Scenarios.named(scenario).orElseThrow());
    return new Run(result, platform[0].simulation());
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
  void certificateExpiryIsResolvedByRenewingThePrivateCertificateInAcm() {
    Run run = run("certificate-expiry", Phase.AUTONOMOUS);
    assertThat(run.result().violations()).isEmpty();
    assertThat(run.result().outcome()).as(run.result().toString()).isEqualTo(ScenarioResult.Outcome.RESOLVED);
    assertThat(run.ecs().unattributed()).isEmpty();
    assertThat(run.ecs().aws().calls("RenewCertificate")).singleElement();
    String arn = run.ecs().aws().acm().arnTagged("Name", "payments-mtls").orElseThrow();
    assertThat(run.ecs().aws().acm().certificate(arn).tags()).containsKey("sre-agent:applied");
  }

  @Test
  void diskExhaustionIsResolvedByRunCommandOnTheHostWhoseVolumeFills() {
    Run run = run("disk-exhaustion", Phase.AUTONOMOUS);
    assertThat(run.result().violations()).isEmpty();
    assertThat(run.result().outcome()).as(run.result().toString()).isEqualTo(ScenarioResult.Outcome.RESOLVED);
    assertThat(run.ecs().unattributed()).isEmpty();
    assertThat(run.writes()).isEmpty();
    assertThat(run.ecs().aws().calls("SendCommand")).singleElement().satisfies(c -> assertThat(c.body())
        .contains("AWS-RunShellScript", "# sre-agent truncate-logs key=", "-exec truncate -s 0 -- {} +"));
    assertThat(run.ecs().aws().ssm().invocations()).singleElement()
        .satisfies(i -> assertThat(i.status()).isEqualTo("Success"));
  }

  @Test
  void observeWritesNothingNorSendsACommand() {
    Run observed = run("error-rate-spike", Phase.OBSERVE);
    assertThat(observed.writes()).isEmpty();
    assertThat(observed.ecs().aws().calls("TagResource")).isEmpty();
    Run disk = run("disk-exhaustion", Phase.OBSERVE);
    assertThat(disk.result().violations()).isEmpty();
    assertThat(disk.ecs().aws().calls("SendCommand")).isEmpty();
    assertThat(disk.ecs().cluster().oracle().effectsChecked()).isZero();
  }
}

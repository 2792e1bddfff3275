package dev.sreagent.core.guardrail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.core.SreAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuardrailPoliciesTest {
  @Test
  void aValidPolicyTightensTheLimits() {
    GuardrailLimits l = GuardrailPolicies.parse("""
        fleetRestart:
          maxFraction: 0.05
          window: 15m
        cooldown: 20m
        rateLimit:
          perHour: 10
          perNamespacePerHour: 4
        maxReplicas: 30
        truncationAllowList: [/var/log/, /data/logs/]
        minConfidenceForAutonomy: 0.7
        revertOwnRollbacks: true
        freezes:
          - name: black-friday
            from: 2026-11-27T00:00:00Z
            to: 2026-11-30T00:00:00Z
          - name: weekend
            cron: "0 18 * * FRI"
            duration: 62h
        """, "policy.yaml");
    assertThat(l.maxFleetRestartFraction()).isEqualTo(0.05);
    assertThat(l.restartWindow()).isEqualTo(Duration.ofMinutes(15));
    assertThat(l.cooldown()).isEqualTo(Duration.ofMinutes(20));
    assertThat(l.maxActionsPerHour()).isEqualTo(10);
    assertThat(l.maxActionsPerNamespacePerHour()).isEqualTo(4);
    assertThat(l.maxReplicas()).isEqualTo(30);
    assertThat(l.truncationAllowList()).containsExactly("/var/log/", "/data/logs/");
    assertThat(l.minConfidenceForAutonomy()).isEqualTo(0.7);
    assertThat(l.revertsOwnRollbacks()).isTrue();
    assertThat(l.freezeWindows()).hasSize(2);
    Freeze weekend = l.freezeWindows().get(1);
    assertThat(weekend.activeAt(Instant.parse("2026-12-05T10:00:00Z"))).as("Saturday").isTrue();
    assertThat(weekend.activeAt(Instant.parse("2026-12-07T07:59:00Z"))).as("Monday 07:59").isTrue();
    assertThat(weekend.activeAt(Instant.parse("2026-12-07T08:00:00Z"))).as("Monday 08:00").isFalse();
    assertThat(weekend.activeAt(Instant.parse("2026-12-04T17:59:00Z"))).as("Friday 17:59").isFalse();
  }

  @Test
  void everyProblemIsReportedWithFileLineAndField() {
    assertThatThrownBy(() -> GuardrailPolicies.parse("""
        fleetRestart:
          maxFraction: 0.2
        cooldwn: 20m
        rateLimit:
          perHour: ten
        truncationAllowList: [/etc/]
        freezes:
          - name: bad
            cron: "61 * * * *"
            duration: 1h
        """, "policy.yaml"))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "policy.yaml:2: fleetRestart.maxFraction must be within (0, 0.1] (hard ceiling), but was 0.2",
            "policy.yaml:3: cooldwn is not a known field; known fields: [cooldown, fleetRestart, freezes,"
                + " maxReplicas, minConfidenceForAutonomy, rateLimit, restartWave, revertOwnRollbacks,"
                + " scopeExceptions, truncationAllowList]",
            "policy.yaml:5: rateLimit.perHour must be an integer, but was 'ten'",
            "policy.yaml:6: truncationAllowList must not be under the system directory /etc, but was '/etc/'",
            "policy.yaml:9: freezes[0] minute must be within [0, 59], but was 61 in '61'"));
  }

  @Test
  void scopeExceptionsAreNamedAndChecked() {
    GuardrailLimits limits = GuardrailPolicies.parse("""
        scopeExceptions:
          - name: shared-db-proxy
            action: scale-out
            service: db-proxy
          - name: anything-on-ingress
            action: "*"
            service: ingress
        """, "policy.yaml");
    assertThat(limits.scopeExceptions()).containsExactly(new ScopeException("shared-db-proxy", "scale-out",
        "db-proxy"), new ScopeException("anything-on-ingress", "*", "ingress"));
    assertThatThrownBy(() -> GuardrailPolicies.parse("""
        scopeExceptions:
          - name: no service
            action: scale-out
          - name: a
            action: rollback
            service: "*"
          - name: a
            action: rollback
            service: cart
          - name: a
            action: rollback
            service: web
            extra: 1
        """, "policy.yaml"))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "policy.yaml:2: scopeExceptions[0] needs name, action (a kind or \"*\") and service",
            "policy.yaml:4: scopeExceptions[1] service must name one service, but was '*'",
            "policy.yaml:10: scopeExceptions[3] scopeExceptions names must be unique, but 'a' was added twice",
            "policy.yaml:13: scopeExceptions[3].extra is not a known field; known fields: [action, name, service]"));
  }

  @Test
  void brokenYamlNamesTheLine() {
    assertThatThrownBy(() -> GuardrailPolicies.parse("cooldown: [1m\nmaxReplicas: 3\n", "p.yaml"))
        .hasMessageStartingWith("p.yaml:").hasMessageContaining("not valid YAML");
  }

  /** A field given twice kept the last value without a word: a tightening above it was lost. */
  @Test
  void aFieldGivenTwiceIsRefusedNamingBothLines() {
    assertThatThrownBy(() -> GuardrailPolicies.parse("cooldown: 20m\nmaxReplicas: 30\ncooldown: 1m\n", "p.yaml"))
        .hasMessageContaining("p.yaml:3: not valid YAML: the key 'cooldown' is given twice in one mapping (first on"
            + " line 1); keep one");
  }

  @Test
  void theBuilderReportsPolicyProblemsWithTheOthers(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("guardrails.yaml");
    Files.writeString(file, "maxReplicas: 100000\n");
    assertThatThrownBy(() -> SreAgent.builder().setGuardrailPolicy(file).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("guardrails.yaml:1: maxReplicas must be within [1, 500] (hard ceiling), but was 100000");
    Files.writeString(file, "maxReplicas: 20\n");
    try (SreAgent agent = SreAgent.builder().setGuardrailPolicy(file).build()) {
      assertThat(agent).isNotNull();
    }
  }

  @Test
  void cronFieldsListsRangesStepsAndNames() {
    CronExpression c = CronExpression.parse("*/15 9-17 * JAN-MAR MON,WED");
    assertThat(c.matches(Instant.parse("2026-01-05T09:30:00Z").atZone(java.time.ZoneOffset.UTC))).isTrue();
    assertThat(c.matches(Instant.parse("2026-01-05T09:31:00Z").atZone(java.time.ZoneOffset.UTC))).isFalse();
    assertThat(c.matches(Instant.parse("2026-01-06T09:30:00Z").atZone(java.time.ZoneOffset.UTC))).as("Tuesday")
        .isFalse();
    assertThat(c.matches(Instant.parse("2026-04-06T09:30:00Z").atZone(java.time.ZoneOffset.UTC))).as("April")
        .isFalse();
    assertThatThrownBy(() -> CronExpression.parse("* * *")).hasMessageContaining("5 fields");
    assertThatThrownBy(() -> CronExpression.parse("* * * * FUNDAY")).hasMessageContaining("day-of-week");
  }

  @Test
  void perNamespaceRateLimit() {
    var topo = Fixtures.topology(Fixtures.service("cart", 3, 10, 1));
    var g = new RateLimitGuardrail(20, 2);
    var scale = new dev.sreagent.api.model.Action.ScaleReplicas("cart", 3, 4);
    var hist = List.of(new dev.sreagent.api.model.ExecutedAction(scale, "INC-0", Fixtures.NOW.minusSeconds(60),
        "a"), new dev.sreagent.api.model.ExecutedAction(scale, "INC-0", Fixtures.NOW.minusSeconds(30), "b"));
    var v = g.evaluate(Fixtures.proposal(scale, topo, hist));
    assertThat(v.reason()).contains("2 actions in namespace shop");
    assertThat(v.verdict()).isEqualTo(dev.sreagent.api.model.GuardrailVerdict.Verdict.DENY);
  }
}

package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.api.model.Topology.Dependency;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review: {@link SreAgent#rankCandidates} asked from a notifier inside a tick (the loop's own thread holds the lock:
 * re-entered, no deadlock) and from another thread while the loop ticks in the background.
 */
class RankCandidatesConcurrencyTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aNotifierAndAnotherThreadAskWhileTheLoopTicksWithoutDeadlock() throws Exception {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    AtomicReference<SreAgent> self = new AtomicReference<>();
    List<List<RootCandidate>> askedInTick = new CopyOnWriteArrayList<>();
    SreAgent agent = SreAgent.builder().setClock(now::get).setDiscovery(false).setDefaultPhase(Phase.OBSERVE)
        .setTopologyProvider(StaticTopology.of(List.of(new Dependency("frontend", "payment"))))
        .addNotifier(e -> {
          if (e.kind() == IncidentEvent.Kind.OPENED) {
            askedInTick.add(self.get().rankCandidates(e.at(), Set.of("frontend"), null));
          }
        }).build();
    self.set(agent);
    ExecutorService asker = Executors.newSingleThreadExecutor();
    try (agent; var loop = agent.runInBackground(Duration.ofMillis(1))) {
      Future<Integer> answers = asker.submit(() -> {
        int n = 0;
        for (int i = 0; i < 200; i++) {
          n += agent.rankCandidates(now.get(), Set.of("frontend"), null).size() >= 0 ? 1 : 0;
        }
        return n;
      });
      for (int i = 0; i < 60; i++) {
        Instant at = T0.plusSeconds(60L * i);
        now.set(at);
        for (String s : List.of("frontend", "payment")) {
          double base = 0.05 + 0.002 * ((i * 7 + s.length()) % 5);
          agent.sink().accept(new MetricSample(MetricNames.LATENCY_P99, i >= 40 && s.equals("payment") ? 2.0
              : base, at, Map.of(Attributes.SERVICE_NAME, s)));
        }
        agent.tick();
      }
      assertThat(answers.get(30, TimeUnit.SECONDS)).isEqualTo(200);
    } finally {
      asker.shutdownNow();
    }
    assertThat(agent.incidents()).isNotEmpty();
    assertThat(askedInTick).isNotEmpty();
  }
}

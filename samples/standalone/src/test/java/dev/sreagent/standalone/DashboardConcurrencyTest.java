package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Phase;
import dev.sreagent.core.SreAgent;
import dev.sreagent.testkit.Scenario;
import dev.sreagent.testkit.ScenarioRunner;
import dev.sreagent.testkit.Scenarios;
import dev.sreagent.testkit.VirtualClock;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue #13: the demo dashboard deadlocked when a browser polled it (the loop held the agent's lock while notifying
 * the dashboard; the dashboard held its own while asking the agent for pending approvals). Readers never take the
 * loop's lock now: pollers hammer the dashboard and {@code stats()} from other threads through a whole ASSIST demo
 * while a watchdog looks for deadlocked threads, and every incident's events reach the dashboard in the order the
 * agent emitted them.
 */
class DashboardConcurrencyTest {
  private static Thread started(Runnable r) {
    Thread t = new Thread(r);
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  // a deadlock would hang the test thread in a monitor, where an interrupt cannot reach it: time out from another
  @org.junit.jupiter.api.Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES,
      threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
  void pollingTheDashboardAndStatsDuringAWholeDemoNeverDeadlocks() throws Exception {
    DemoState state = new DemoState(VirtualClock.DEFAULT_START);
    AtomicReference<SreAgent> agent = new AtomicReference<>();
    ConcurrentLinkedQueue<IncidentEvent> emitted = new ConcurrentLinkedQueue<>();
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong polls = new AtomicLong();
    List<Throwable> pollerErrors = new ArrayList<>();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    List<String> deadlocks = new ArrayList<>();
    try (DashboardServer server = new DashboardServer(0, state)) {
      HttpClient http = HttpClient.newHttpClient();
      URI uri = URI.create("http://127.0.0.1:" + server.port() + "/api/state");
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        threads.add(started(() -> {
          while (!done.get()) {
            try {
              HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(),
                  HttpResponse.BodyHandlers.ofString());
              assertThat(r.statusCode()).isEqualTo(200);
              SreAgent a = agent.get();
              if (a != null) {
                a.stats();
                a.pendingApprovals();
                a.dependencyGraph();
              }
              polls.incrementAndGet();
            } catch (Throwable t) {
              synchronized (pollerErrors) {
                pollerErrors.add(t);
              }
              return;
            }
          }
        }));
      }
      Thread watchdog = started(() -> {
        while (!done.get()) {
          long[] ids = mx.findDeadlockedThreads();
          if (ids != null) {
            synchronized (deadlocks) {
              for (var info : mx.getThreadInfo(ids)) {
                deadlocks.add(info.getThreadName() + " waits for " + info.getLockName() + " held by "
                    + info.getLockOwnerName());
              }
            }
            return;
          }
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      ScenarioRunner runner = new ScenarioRunner(Phase.ASSIST, 42, Duration.ofMinutes(3), null, null,
          b -> b.setAgentCustomizer(ab -> ab.addNotifier(state).addNotifier(emitted::add))
              .setStepListener(h -> {
                agent.set(h.agent());
                state.onStep(h);
              }));
      for (Scenario s : Scenarios.builtIn()) {
        state.startScenario(s.name(), s.description(), "ASSIST");
        emitted.clear();
        state.finishScenario(runner.run(s));
        // the dashboard shows each incident's events in the order the agent emitted them
        Map<String, List<String>> sent = new LinkedHashMap<>();
        for (IncidentEvent e : emitted) {
          sent.computeIfAbsent(e.incident().id(), k -> new ArrayList<>()).add(e.message());
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> shown = (List<Map<String, Object>>) state.snapshot().get("incidents");
        for (Map<String, Object> inc : shown) {
          @SuppressWarnings("unchecked")
          List<Map<String, String>> events = (List<Map<String, String>>) inc.get("events");
          assertThat(events.stream().map(e -> e.get("message")).toList()).as(s.name() + " " + inc.get("id"))
              .isEqualTo(sent.get((String) inc.get("id")));
        }
      }
      done.set(true);
      for (Thread t : threads) {
        t.join();
      }
      watchdog.join();
    }
    assertThat(deadlocks).as("deadlocked threads").isEmpty();
    assertThat(pollerErrors).isEmpty();
    assertThat(polls.get()).as("the pollers ran throughout").isGreaterThan(10);
  }
}

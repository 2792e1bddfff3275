package dev.sreagent.bench;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.core.AgentSettings;
import dev.sreagent.core.SreAgent;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * Heap per live series: an agent with the default detectors ingests {@code series} pod-memory series for
 * {@code rounds} rounds (15 s apart, so every series fills its investigation window), then the heap is measured
 * after a full GC. {@code java -jar sre-agent-bench.jar scale --series 100000}.
 */
final class ScaleRun {
  private ScaleRun() {}

  static int run(int series, int rounds, PrintStream out) {
    long before = usedAfterGc();
    Instant[] now = {Instant.parse("2026-01-01T00:00:00Z")};
    long start = System.nanoTime();
    try (SreAgent agent = SreAgent.builder().setClock(() -> now[0]).setDiscovery(false)
        .setSettings(AgentSettings.defaults().withInboxCapacity(series + 16)).build()) {
      @SuppressWarnings("unchecked")
      Map<String, String>[] attrs = new Map[series];
      for (int s = 0; s < series; s++) {
        attrs[s] = Map.of(Attributes.SERVICE_NAME, "svc-" + (s % 1000), Attributes.K8S_POD_NAME, "pod-" + s);
      }
      long samples = 0;
      for (int r = 0; r < rounds; r++) {
        now[0] = now[0].plusSeconds(15);
        for (int s = 0; s < series; s++) {
          agent.sink().accept(new MetricSample(MetricNames.MEMORY_UTILIZATION, 0.4 + 0.001 * (s % 100), now[0],
              attrs[s]));
          samples++;
        }
        agent.tick();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long after = usedAfterGc();
      double mb = (after - before) / 1024.0 / 1024.0;
      out.printf(Locale.ROOT, "scale: %d series x %d rounds = %d samples in %.1f s (%.0f samples/s through the"
          + " agent); heap for the agent and its series after GC: %.1f MB (%.0f bytes per series); dropped %d%n",
          series, rounds, samples, seconds, samples / seconds, mb, (after - before) / (double) series,
          agent.stats().signalsDropped());
    }
    return 0;
  }

  private static long usedAfterGc() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}

package dev.sreagent.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KubernetesInformersRunTest {
  @Test
  void aSmallClusterIsStoredAsAskedAndEveryFigureIsMeasured() {
    KubernetesInformersRun.Options options = KubernetesInformersRun.Options.parse(new String[] {"k8s-informers",
        "--pods", "50", "--workloads", "5", "--events", "10", "--repeats", "3"});
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    KubernetesInformersRun.Result r = KubernetesInformersRun.measure(options,
        new PrintStream(progress, true, StandardCharsets.UTF_8));

    assertThat(r.cluster().asMap()).containsExactly(java.util.Map.entry("namespaces", 1),
        java.util.Map.entry("nodes", 3), java.util.Map.entry("deployments", 4), java.util.Map.entry("statefulSets", 1),
        java.util.Map.entry("replicaSets", 12), java.util.Map.entry("pods", 50), java.util.Map.entry("hpas", 2),
        java.util.Map.entry("pdbs", 2), java.util.Map.entry("services", 5));
    assertThat(r.figures()).extracting(KubernetesInformersRun.Figure::key).contains("topology_sync_ms",
        "topology_heap_mb", "snapshot_ms", "write_no_informers_us", "write_topology_us", "pod_to_topology_cache_us",
        "replicaset_to_rollout_history_us", "change_events_sync_ms", "change_events_heap_mb", "write_both_us",
        "pod_to_topology_cache_both_us", "oom_restart_to_change_event_us", "cpu_no_informers_server_us",
        "cpu_topology_informers_us", "cpu_both_informers_us");
    // the change events start on the adapter's informers: no list, no watch, so the emulator may spend no CPU on it
    // and the heap it adds is within the GC estimate's noise
    assertThat(r.figures()).filteredOn(f -> f.key().startsWith("change_events_")).allSatisfy(f ->
        assertThat(f.value()).as(f.key()).isFinite());
    assertThat(value(r, "change_events_start_cpu_server_ms")).isLessThan(value(r, "topology_start_cpu_server_ms"));
    assertThat(r.figures()).filteredOn(f -> !f.key().startsWith("change_events_")).allSatisfy(f -> {
      assertThat(f.value()).as(f.key()).isPositive().isFinite();
      if (!Double.isNaN(f.second())) {
        assertThat(f.second()).as(f.key() + " " + f.secondLabel()).isPositive().isFinite();
      }
    });

    ByteArrayOutputStream table = new ByteArrayOutputStream();
    KubernetesInformersRun.print(r, options, new PrintStream(table, true, StandardCharsets.UTF_8));
    assertThat(table.toString(StandardCharsets.UTF_8)).contains("50 pods in 5 workloads (4 Deployments with 12"
        + " ReplicaSets, 1 StatefulSets), 2 HPAs, 2 PDBs, 5 Services, 3 nodes, 1 namespace")
        .contains("KubernetesAdapter (shared informers, topology) start, until synced").contains("OOMKilled restart PUT -> change event");
    assertThat(KubernetesInformersRun.json(r, options)).contains("\"pods\": 50", "\"topology_heap_mb_bytes_per_pod\": ",
        "\"oom_restart_to_change_event_us_p95\": ");
  }

  private static double value(KubernetesInformersRun.Result r, String key) {
    return r.figures().stream().filter(f -> f.key().equals(key)).findFirst().orElseThrow().value();
  }

  @Test
  void aBadOptionIsRefusedWithItsValue() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = BenchMain.run(new String[] {"k8s-informers", "--pods", "ten"}, System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--pods must be a positive integer, but was 'ten'");
  }
}

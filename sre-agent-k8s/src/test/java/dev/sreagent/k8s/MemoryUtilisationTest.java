package dev.sreagent.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.port.TelemetrySink;
import dev.sreagent.api.port.TelemetrySource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MemoryUtilisationTest {
  private static final Instant T = Instant.parse("2026-03-01T12:00:00Z");
  private static final double MI = 1024 * 1024;
  private final ApiServer api = new ApiServer();
  private final List<Signal> received = new CopyOnWriteArrayList<>();
  private KubernetesChangeEvents limits;

  @AfterEach
  void close() {
    if (limits != null) {
      limits.close();
    }
    api.close();
  }

  private static MetricSample sample(String name, double value, String pod, String container) {
    Map<String, String> attributes = new java.util.HashMap<>(Map.of(Attributes.K8S_NAMESPACE, "shop",
        Attributes.K8S_POD_NAME, pod));
    if (container != null) {
      attributes.put("k8s.container.name", container);
    }
    return new MetricSample(name, value, T, attributes);
  }

  /** Starts the change events over shop, then a source pushing {@code samples} through the completing wrapper. */
  private void run(MetricSample... samples) {
    ClusterFixtures.workload(api.client, "shop", "cart");
    ClusterFixtures.pod(api.client, "shop", "cart-5d8f7c-a1", "cart", "node-1");  // limit 256Mi
    api.client.pods().inNamespace("shop").resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata()
        .withName("nolimit").withNamespace("shop").endMetadata().withNewSpec().addNewContainer().withName("app")
        .withImage("app:1").endContainer().endSpec().build()).create();
    limits = KubernetesChangeEvents.builder(api.client).setNamespaces(Set.of("shop")).setWatchNodes(false)
        .setSyncTimeout(Duration.ofSeconds(10)).build();
    limits.start(TelemetrySink.noop());
    TelemetrySource source = new TelemetrySource() {
      @Override
      public String name() {
        return "otlp";
      }

      @Override
      public void start(TelemetrySink sink) {
        for (MetricSample s : samples) {
          sink.accept(s);
        }
      }
    };
    TelemetrySource completed = MemoryUtilisation.completing(source, limits);
    assertThat(completed.name()).isEqualTo("otlp+memory-limits");
    completed.start(received::add);
  }

  private List<MetricSample> utilisation() {
    return received.stream().filter(s -> s instanceof MetricSample m && m.name()
        .equals(MetricNames.MEMORY_UTILIZATION)).map(MetricSample.class::cast).toList();
  }

  @Test
  void aWorkingSetOverThePodSpecsLimitIsUtilisationOfTheService() {
    run(sample(MemoryUtilisation.CONTAINER_WORKING_SET, 192 * MI, "cart-5d8f7c-a1", "cart"),
        sample(MemoryUtilisation.POD_WORKING_SET, 64 * MI, "cart-5d8f7c-a1", null));
    assertThat(received).as("the samples themselves pass on").hasSize(4);
    assertThat(utilisation()).extracting(MetricSample::value).containsExactly(0.75, 0.25);
    assertThat(utilisation()).allSatisfy(u -> {
      assertThat(u.service()).isEqualTo("cart");
      assertThat(u.attribute(Attributes.K8S_POD_NAME)).isEqualTo("cart-5d8f7c-a1");
    });
  }

  @Test
  void nothingIsDerivedWithoutALimitForAnUnwatchedPodOrWhenTheSourceReportsItsOwn() {
    MetricSample own = sample(MetricNames.MEMORY_UTILIZATION, 0.5, "cart-5d8f7c-a1", "cart");
    run(sample(MemoryUtilisation.CONTAINER_WORKING_SET, 10 * MI, "nolimit", "app"),
        sample(MemoryUtilisation.CONTAINER_WORKING_SET, 10 * MI, "elsewhere-pod", "app"),
        own, sample(MemoryUtilisation.CONTAINER_WORKING_SET, 128 * MI, "cart-5d8f7c-a1", "cart"));
    assertThat(utilisation()).containsExactly(own);
    assertThat(received).hasSize(4);
  }
}

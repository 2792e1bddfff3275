package dev.sreagent.testkit.junit;

import dev.sreagent.core.SreAgent;
import dev.sreagent.testkit.SimulatedCluster;
import dev.sreagent.testkit.SimulationHarness;
import dev.sreagent.testkit.VirtualClock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Resolves {@link SimulationHarness}, {@link SimulatedCluster}, {@link SreAgent} and {@link VirtualClock} parameters
 * from one harness per test, configured by {@link SimulatedClusterTest} (defaults when absent), kept in the test's
 * {@link ExtensionContext.Store} and closed after the test.
 */
public final class SreAgentExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
      SreAgentExtension.class);
  private static final Set<Class<?>> TYPES = Set.of(SimulationHarness.class, SimulatedCluster.class,
      SreAgent.class, VirtualClock.class);

  @Override
  public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
    return TYPES.contains(pc.getParameter().getType());
  }

  @Override
  public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
    SimulationHarness h = ec.getStore(NAMESPACE).getOrComputeIfAbsent(SimulationHarness.class,
        k -> create(ec), SimulationHarness.class);
    Class<?> type = pc.getParameter().getType();
    if (type == SimulationHarness.class) {
      return h;
    }
    if (type == SimulatedCluster.class) {
      return h.cluster();
    }
    if (type == SreAgent.class) {
      return h.agent();
    }
    if (type == VirtualClock.class) {
      return h.clock();
    }
    throw new ParameterResolutionException("cannot resolve " + type);
  }

  private static SimulationHarness create(ExtensionContext ec) {
    SimulatedClusterTest cfg = ec.getTestMethod()
        .flatMap(m -> AnnotationSupport.findAnnotation(m, SimulatedClusterTest.class))
        .orElse(null);
    SimulationHarness.Builder b = SimulationHarness.builder();
    if (cfg != null) {
      b.setSeed(cfg.seed()).setPhase(cfg.phase())
          .setOnCallResponse(cfg.onCallMinutes() < 0 ? null : Duration.ofMinutes(cfg.onCallMinutes()));
    }
    return b.build();
  }
}

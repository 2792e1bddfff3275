package dev.sreagent.testkit.junit;

import dev.sreagent.core.SreAgent;
import dev.sreagent.testkit.SimulatedCluster;
import dev.sreagent.testkit.SimulationHarness;
import dev.sreagent.testkit.VirtualClock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Resolves {@link SimulationHarness}, {@link SimulatedCluster}, {@link SreAgent} and {@link VirtualClock} parameters
 * from one harness per test (or per invocation of a parameterised test), and {@link Simulations} parameters that
 * start as many harnesses as the test wants; all are kept in the test's {@link ExtensionContext.Store} and closed
 * after it.
 *
 * <p>Configuration, first found wins: the method's {@link SimulatedClusterTest} or {@link SimulationConfig}, the
 * class's {@link SimulationConfig}, the defaults; then the extension's own customizer when registered
 * programmatically — the way to give a whole test class a custom topology or agent wiring:
 *
 * <pre>{@code
 * @RegisterExtension
 * static SreAgentExtension sim = SreAgentExtension.configuring(b -> b
 *     .setServices(List.of(...))                       // a six-deep call chain
 *     .setAgentCustomizer(a -> a.setGuardrailLimits(limits)));
 * }</pre>
 */
public final class SreAgentExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
      SreAgentExtension.class);
  private static final Set<Class<?>> TYPES = Set.of(SimulationHarness.class, SimulatedCluster.class,
      SreAgent.class, VirtualClock.class, Simulations.class);

  private final UnaryOperator<SimulationHarness.Builder> customizer;

  /** The extension as {@code @ExtendWith} creates it: configuration from annotations only. */
  public SreAgentExtension() {
    this(b -> b);
  }

  private SreAgentExtension(UnaryOperator<SimulationHarness.Builder> customizer) {
    this.customizer = Objects.requireNonNull(customizer, "customizer");
  }

  /** For {@code @RegisterExtension}: annotations first, then {@code customizer} on every harness. */
  public static SreAgentExtension configuring(UnaryOperator<SimulationHarness.Builder> customizer) {
    return new SreAgentExtension(customizer);
  }

  @Override
  public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
    return TYPES.contains(pc.getParameter().getType());
  }

  @Override
  public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
    Class<?> type = pc.getParameter().getType();
    ExtensionContext.Store store = ec.getStore(NAMESPACE);
    if (type == Simulations.class) {
      return store.getOrComputeIfAbsent(Simulations.class, k -> new Simulations(configuration(ec)),
          Simulations.class);
    }
    SimulationHarness h = store.getOrComputeIfAbsent(SimulationHarness.class,
        k -> configuration(ec).apply(SimulationHarness.builder()).build(), SimulationHarness.class);
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

  private UnaryOperator<SimulationHarness.Builder> configuration(ExtensionContext ec) {
    Optional<SimulatedClusterTest> test = ec.getTestMethod()
        .flatMap(m -> AnnotationSupport.findAnnotation(m, SimulatedClusterTest.class));
    Optional<SimulationConfig> config = ec.getTestMethod()
        .flatMap(m -> AnnotationSupport.findAnnotation(m, SimulationConfig.class))
        .or(() -> ec.getTestClass().flatMap(c -> AnnotationSupport.findAnnotation(c, SimulationConfig.class)));
    return b -> {
      if (test.isPresent()) {
        SimulatedClusterTest t = test.get();
        b.setSeed(t.seed()).setPhase(t.phase()).setOnCallResponse(onCall(t.onCallMinutes()));
      } else if (config.isPresent()) {
        SimulationConfig c = config.get();
        if (c.startHour() < 0 || c.startHour() > 23) {
          throw new ParameterResolutionException("@SimulationConfig startHour must be within [0, 23], but was "
              + c.startHour());
        }
        Instant day = VirtualClock.DEFAULT_START.truncatedTo(ChronoUnit.DAYS);
        b.setSeed(c.seed()).setPhase(c.phase()).setOnCallResponse(onCall(c.onCallMinutes()))
            .setStart(day.plus(Duration.ofHours(c.startHour())));
      }
      return customizer.apply(b);
    };
  }

  private static @org.jspecify.annotations.Nullable Duration onCall(int minutes) {
    return minutes < 0 ? null : Duration.ofMinutes(minutes);
  }
}

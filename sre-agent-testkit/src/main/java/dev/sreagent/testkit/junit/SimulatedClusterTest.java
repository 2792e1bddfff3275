package dev.sreagent.testkit.junit;

import dev.sreagent.api.model.Phase;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives each test a fresh simulated cluster wired to an agent. Test methods may declare parameters of type
 * {@link dev.sreagent.testkit.SimulationHarness}, {@link dev.sreagent.testkit.SimulatedCluster},
 * {@link dev.sreagent.core.SreAgent} and {@link dev.sreagent.testkit.VirtualClock}; they all belong to the same
 * harness, which is closed after the test.
 *
 * <pre>{@code
 * @SimulatedClusterTest(seed = 7, phase = Phase.AUTONOMOUS)
 * void restartsTheLeakingPod(SimulationHarness h) {
 *   h.runFor(Duration.ofMinutes(40));
 *   h.inject(new Fault.MemoryLeak("cart", 0.02));
 *   h.runFor(Duration.ofMinutes(60));
 *   assertThat(h.agent().incidents()).anyMatch(i -> i.state() == IncidentState.RESOLVED);
 * }
 * }</pre>
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@org.junit.jupiter.api.Test
@ExtendWith(SreAgentExtension.class)
public @interface SimulatedClusterTest {
  /** The cluster's seed. */
  long seed() default 42;

  /** The phase of every incident type. */
  Phase phase() default Phase.AUTONOMOUS;

  /** Minutes the simulated on-call takes to approve; negative means nobody answers. */
  int onCallMinutes() default 3;
}

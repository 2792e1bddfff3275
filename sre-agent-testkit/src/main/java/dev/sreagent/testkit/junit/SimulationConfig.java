package dev.sreagent.testkit.junit;

import dev.sreagent.api.model.Phase;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Configures the simulations of a test class or method without making it a {@code @Test}: use it with
 * {@code @ParameterizedTest}, {@code @RepeatedTest} or {@code @TestFactory}. Parameters of type {@link Simulations}
 * start harnesses with this configuration and any seed; parameters of type
 * {@link dev.sreagent.testkit.SimulationHarness} (and its cluster, agent and clock) get one harness per invocation.
 *
 * <pre>{@code
 * @ParameterizedTest
 * @ValueSource(longs = {1, 2, 3, 6000})
 * @SimulationConfig(phase = Phase.AUTONOMOUS, onCallMinutes = -1)
 * void twoBadDeploysBecomeTwoIncidents(long seed, Simulations sims) {
 *   SimulationHarness h = sims.start(seed);
 *   ...
 * }
 * }</pre>
 *
 * A method's annotation wins over its class's.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SreAgentExtension.class)
public @interface SimulationConfig {
  /** The cluster's seed (for parameters other than {@link Simulations}, which take theirs at start). */
  long seed() default 42;

  /** The phase of every incident type. */
  Phase phase() default Phase.AUTONOMOUS;

  /** Minutes the simulated on-call takes to approve; negative means nobody answers. */
  int onCallMinutes() default 3;

  /** Hour of the day (UTC) the simulation starts, 0-23 (default 8, a Monday morning). */
  int startHour() default 8;
}

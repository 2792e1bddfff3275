package dev.sreagent.testkit;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * A thousand random incident storms through a whole agent in every build ({@link IncidentStorm} says what a storm is
 * and what is checked where the actions land); {@code IncidentStormIT} runs ten thousand in {@code .ci/run}.
 */
class IncidentStormProperties {
  @Property(tries = 1_000)
  void noStormBreaksAPromise(@ForAll long seed) {
    IncidentStorm.check(seed);
  }
}

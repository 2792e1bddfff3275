package dev.sreagent.testkit;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** Ten thousand random incident storms through a whole agent (see {@link IncidentStorm}); run by {@code .ci/run}. */
class IncidentStormIT {
  @Property(tries = 10_000)
  void noStormBreaksAPromise(@ForAll long seed) {
    IncidentStorm.check(seed);
  }
}

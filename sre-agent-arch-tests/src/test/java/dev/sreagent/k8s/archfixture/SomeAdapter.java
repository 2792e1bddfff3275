package dev.sreagent.k8s.archfixture;

import java.time.Instant;

/** Stands for an adapter class in the architecture rule self-test; breaks the adapter rules on purpose. */
public final class SomeAdapter {
  public Instant readsTheSystemClock() {
    return Instant.now();
  }

  public String usesAnotherModulesInternals() {
    return dev.sreagent.core.internal.Json.write(1);
  }
}

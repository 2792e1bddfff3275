package dev.sreagent.core.archfixture;

import dev.sreagent.k8s.archfixture.SomeAdapter;
import java.sql.Connection;
import java.time.Instant;

/** Breaks every domain rule on purpose; used only to prove the architecture rules can fail. */
public final class ViolatingDomainClass {
  public Instant now() {
    return Instant.now();
  }

  public boolean usesJdbc(Connection c) {
    return c != null;
  }

  public String reachesAdapter() {
    return new SomeAdapter().toString();
  }

  public int reachesDetect() {
    return dev.sreagent.detect.BuiltInDetectors.create().size();
  }
}

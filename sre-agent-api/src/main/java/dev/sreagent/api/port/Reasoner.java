package dev.sreagent.api.port;

import dev.sreagent.api.model.Diagnosis;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.RetrievedDocument;
import java.util.List;

/** Proposes ranked hypotheses for an investigated incident, citing the knowledge it used. */
@FunctionalInterface
public interface Reasoner {
  /**
   * Diagnoses {@code incident} (which carries its evidence) with the retrieved {@code knowledge}.
   * Must not throw for any incident; return a low-confidence diagnosis instead.
   */
  Diagnosis diagnose(Incident incident, List<RetrievedDocument> knowledge);
}

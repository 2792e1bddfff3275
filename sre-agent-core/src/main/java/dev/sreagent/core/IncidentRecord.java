package dev.sreagent.core;

import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.Diagnosis;
import dev.sreagent.api.model.Incident;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * What the loop keeps about one active incident beside the incident itself: the diagnosis it is waiting for, the
 * approval request it is waiting on, the plan a human approved, and how its verification is going. Owned by the
 * {@link IncidentBook}; gone when the incident ends.
 */
final class IncidentRecord {
  /** A diagnosis running on the diagnosis executor, with the evidence it was given. */
  record PendingDiagnosis(Incident withEvidence, CompletableFuture<Diagnosis> future) {}

  @Nullable PendingDiagnosis diagnosing;
  @Nullable ApprovalRequest pendingApproval;
  /** The hash of the plan a human approved: re-checks before later attempts keep the approval. */
  @Nullable String approvedPlanHash;
  @Nullable Instant verifyingSince;
  /** The root signal when verification began. */
  @Nullable Double verifyBaseline;
  /** Since when the root signal has been worse than at the start of verification. */
  @Nullable Instant worseSince;

  void forgetVerification() {
    verifyingSince = null;
    verifyBaseline = null;
    worseSince = null;
  }
}

package dev.sreagent.api.model;

/** Incident severity; SEV1 is the worst. SEV1 and SEV2 always need a human approval before any action. */
public enum Severity {
  SEV1, SEV2, SEV3, SEV4;

  /** Whether actions for incidents of this severity always need a human approval, whatever the phase. */
  public boolean alwaysNeedsApproval() {
    return this == SEV1 || this == SEV2;
  }

  /** The worse (lower-numbered) of the two. */
  public Severity worst(Severity other) {
    return ordinal() <= other.ordinal() ? this : other;
  }
}

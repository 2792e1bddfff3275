package dev.sreagent.api.model;

/** How much autonomy the agent has for an incident type: earned step by step, lost automatically. */
public enum Phase {
  /** Shadow mode: everything runs but nothing executes; intended actions go to the audit log. */
  OBSERVE,
  /** Plans are proposed to humans; execution needs an authorised approval. */
  ASSIST,
  /** SEV3/SEV4 actions run without approval inside the guardrails; SEV1/SEV2 still need approval. */
  AUTONOMOUS;

  /** The phase one step less autonomous (OBSERVE stays OBSERVE). */
  public Phase demoted() {
    return this == AUTONOMOUS ? ASSIST : OBSERVE;
  }
}

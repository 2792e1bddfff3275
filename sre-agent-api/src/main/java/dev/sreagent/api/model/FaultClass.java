package dev.sreagent.api.model;

import java.util.Locale;

/**
 * What kind of fault the signals of a root-cause candidate point at, recognised from the signals alone (named in the
 * diagnosis even when no remediation of the catalog fits).
 */
public enum FaultClass {
  /** CPU use far above its own baseline: contention or a runaway consumer. */
  CPU_SATURATION,
  /** Memory use far above its own baseline. */
  MEMORY,
  /** Calls to the service slowed down at the caller while the service served as fast as ever. */
  NETWORK_DELAY,
  /** More traffic than usual: request rate far above its baseline. */
  OVERLOAD,
  /** Errors up with no resource or traffic signal: an exception or an error return in the code. */
  CODE_ERROR,
  /** Slower with no resource, traffic or network signal (slow code, a slow dependency outside the graph). */
  LATENCY,
  /** Nothing moved far enough to tell. */
  UNKNOWN;

  /** The lower-case, hyphenated name ({@code cpu-saturation}). */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}

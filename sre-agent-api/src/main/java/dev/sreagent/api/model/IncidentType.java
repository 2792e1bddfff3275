package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.util.regex.Pattern;

/**
 * The kind of an incident. The built-in types have constants; users add their own with {@link #of(String)}.
 *
 * @param name lower-case name made of letters, digits and dashes, for example {@code oom-kill}
 */
public record IncidentType(String name) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  /** Memory close to the container limit, or OOMKilled events. Remedy: rolling pod restart. */
  public static final IncidentType OOM_KILL = new IncidentType("oom-kill");
  /** p99 latency above its baseline. Remedy: bounded scale-out. */
  public static final IncidentType HIGH_LATENCY = new IncidentType("high-latency");
  /** Error rate far above its baseline. Remedy: roll back to the last healthy revision. */
  public static final IncidentType ERROR_RATE_SPIKE = new IncidentType("error-rate-spike");
  /** Disk nearly full and filling. Remedy: truncate or rotate logs in allow-listed paths. */
  public static final IncidentType DISK_EXHAUSTION = new IncidentType("disk-exhaustion");
  /** TLS certificate about to expire. Remedy: trigger renewal. */
  public static final IncidentType CERTIFICATE_EXPIRY = new IncidentType("certificate-expiry");
  /**
   * A pod's CPU at its limit and far above its own usual level, for minutes. No remedy in the catalog: diagnosed and
   * escalated to humans with its ranked root-cause candidates (a noisy neighbour, a runaway loop or a too-low limit
   * need different fixes).
   */
  public static final IncidentType CPU_SATURATION = new IncidentType("cpu-saturation");
  /** An anomaly no detector could classify; it is still correlated, diagnosed and escalated. */
  public static final IncidentType UNKNOWN = new IncidentType("unknown");

  public IncidentType {
    Require.notBlank(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "name must be lower-case letters, digits and dashes (at most 63), but was '" + name + "'");
    }
  }

  /** The type named {@code name}. */
  public static IncidentType of(String name) {
    return new IncidentType(name);
  }

  @Override
  public String toString() {
    return name;
  }
}

package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened to a workload: a deploy, a rollback, a scale, a restart, an OOM kill.
 * Investigations use recent change events as evidence ("a deploy 4 minutes before the errors").
 *
 * @param timestamp when it happened
 * @param service the workload
 * @param kind one of the constants of this class, or an adapter's own kind
 * @param revision the revision involved, if any
 * @param description human-readable detail
 */
public record ChangeEvent(Instant timestamp, String service, String kind, @Nullable String revision,
    String description) implements Signal {
  /** A new revision was rolled out. */
  public static final String DEPLOY = "deploy";
  /** A workload went back to an earlier revision. */
  public static final String ROLLBACK = "rollback";
  /** The replica count changed. */
  public static final String SCALE = "scale";
  /** Pods were restarted. */
  public static final String RESTART = "restart";
  /** A container was killed for exceeding its memory limit. */
  public static final String OOM_KILLED = "oom-killed";
  /** Configuration changed. */
  public static final String CONFIG = "config";

  public ChangeEvent {
    Objects.requireNonNull(timestamp, "timestamp");
    Require.notBlank(service, "service");
    Require.notBlank(kind, "kind");
    Objects.requireNonNull(description, "description");
  }
}

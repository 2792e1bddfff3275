package dev.sreagent.core.guardrail;

import dev.sreagent.api.Require;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The numbers behind the built-in guardrails. Configuration may tighten them but never loosen them past the hard
 * ceilings ({@code HARD_*}): a {@code with…} method that would loosen throws, quoting the value and the ceiling.
 * Like {@code AgentSettings} and {@code ExecutorPolicy}: start from {@link #defaults()} (or any limits) and change
 * what you need; immutable.
 *
 * <pre>{@code
 * GuardrailLimits limits = GuardrailLimits.defaults()
 *     .withMaxFleetRestartFraction(0.05)          // tighter than the 10% ceiling
 *     .withTruncationAllowList(List.of("/var/log/"));
 * }</pre>
 */
public final class GuardrailLimits {
  /** Never restart more than this fraction of the fleet within the restart window. */
  public static final double HARD_MAX_FLEET_RESTART_FRACTION = 0.10;
  /** The restart window may be made longer, never shorter. */
  public static final Duration HARD_MIN_RESTART_WINDOW = Duration.ofMinutes(10);
  /** Per-target cooldown may be made longer, never shorter. */
  public static final Duration HARD_MIN_COOLDOWN = Duration.ofMinutes(5);
  /** Global action rate ceiling per hour. */
  public static final int HARD_MAX_ACTIONS_PER_HOUR = 60;
  /** Absolute replica ceiling for scale-out. */
  public static final int HARD_MAX_REPLICAS = 500;
  /** Paths under which truncation is never allowed, whatever the allow-list says. */
  public static final List<String> FORBIDDEN_PATH_PREFIXES =
      List.of("/bin", "/boot", "/dev", "/etc", "/lib", "/proc", "/root", "/sbin", "/sys", "/usr");

  /** Defaults. */
  public static final double DEFAULT_MAX_FLEET_RESTART_FRACTION = HARD_MAX_FLEET_RESTART_FRACTION;
  public static final Duration DEFAULT_RESTART_WINDOW = Duration.ofMinutes(10);
  public static final Duration DEFAULT_RESTART_WAVE = Duration.ofMinutes(10);
  public static final Duration DEFAULT_COOLDOWN = Duration.ofMinutes(15);
  public static final int DEFAULT_MAX_ACTIONS_PER_HOUR = 20;
  public static final int DEFAULT_MAX_ACTIONS_PER_NAMESPACE_PER_HOUR = 10;
  public static final int DEFAULT_MAX_REPLICAS = 50;
  public static final List<String> DEFAULT_TRUNCATION_ALLOW_LIST = List.of("/var/log/");
  public static final double DEFAULT_MIN_CONFIDENCE_FOR_AUTONOMY = 0.5;

  private final double maxFleetRestartFraction;
  private final Duration restartWindow;
  private final Duration restartWave;
  private final Duration cooldown;
  private final int maxActionsPerHour;
  private final int maxReplicas;
  private final List<String> truncationAllowList;
  private final List<Freeze> freezeWindows;
  private final int maxActionsPerNamespacePerHour;
  private final double minConfidenceForAutonomy;
  private final List<ScopeException> scopeExceptions;
  private final boolean revertOwnRollbacks;

  private GuardrailLimits(Builder b) {
    this.maxFleetRestartFraction = b.maxFleetRestartFraction;
    this.restartWindow = b.restartWindow;
    this.restartWave = b.restartWave;
    this.cooldown = b.cooldown;
    this.maxActionsPerHour = b.maxActionsPerHour;
    this.maxReplicas = b.maxReplicas;
    this.truncationAllowList = List.copyOf(b.truncationAllowList);
    this.freezeWindows = List.copyOf(b.freezeWindows);
    this.maxActionsPerNamespacePerHour = b.maxActionsPerNamespacePerHour;
    this.minConfidenceForAutonomy = b.minConfidenceForAutonomy;
    this.scopeExceptions = List.copyOf(b.scopeExceptions);
    this.revertOwnRollbacks = b.revertOwnRollbacks;
  }

  /** The defaults. */
  public static GuardrailLimits defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults (for the policy loader; applications use {@code defaults().with…}). */
  static Builder builder() {
    return new Builder();
  }

  private Builder toBuilder() {
    Builder b = new Builder();
    b.maxFleetRestartFraction = maxFleetRestartFraction;
    b.restartWindow = restartWindow;
    b.restartWave = restartWave;
    b.cooldown = cooldown;
    b.maxActionsPerHour = maxActionsPerHour;
    b.maxReplicas = maxReplicas;
    b.truncationAllowList = truncationAllowList;
    b.freezeWindows.addAll(freezeWindows);
    b.maxActionsPerNamespacePerHour = maxActionsPerNamespacePerHour;
    b.minConfidenceForAutonomy = minConfidenceForAutonomy;
    b.scopeExceptions.addAll(scopeExceptions);
    b.revertOwnRollbacks = revertOwnRollbacks;
    return b;
  }

  /**
   * The fraction of a service's pods restarted within the restart window, at most
   * {@link #HARD_MAX_FLEET_RESTART_FRACTION}.
   */
  public GuardrailLimits withMaxFleetRestartFraction(double fraction) {
    return toBuilder().setMaxFleetRestartFraction(fraction).build();
  }

  /** The window the restart fraction counts over, at least {@link #HARD_MIN_RESTART_WINDOW}. */
  public GuardrailLimits withRestartWindow(Duration window) {
    return toBuilder().setRestartWindow(window).build();
  }

  /** The time one restart wave waits for readiness before the next. */
  public GuardrailLimits withRestartWave(Duration wave) {
    return toBuilder().setRestartWave(wave).build();
  }

  /** The per-target cooldown between actions, at least {@link #HARD_MIN_COOLDOWN}. */
  public GuardrailLimits withCooldown(Duration cooldown) {
    return toBuilder().setCooldown(cooldown).build();
  }

  /** Actions per hour over the whole agent, within [1, {@link #HARD_MAX_ACTIONS_PER_HOUR}]. */
  public GuardrailLimits withMaxActionsPerHour(int max) {
    return toBuilder().setMaxActionsPerHour(max).build();
  }

  /** The replica ceiling of a scale-out, within [1, {@link #HARD_MAX_REPLICAS}]. */
  public GuardrailLimits withMaxReplicas(int max) {
    return toBuilder().setMaxReplicas(max).build();
  }

  /** The path prefixes log truncation may touch. */
  public GuardrailLimits withTruncationAllowList(List<String> prefixes) {
    return toBuilder().setTruncationAllowList(prefixes).build();
  }

  /** Actions per hour in one namespace, within [1, {@link #HARD_MAX_ACTIONS_PER_HOUR}]. */
  public GuardrailLimits withMaxActionsPerNamespacePerHour(int max) {
    return toBuilder().setMaxActionsPerNamespacePerHour(max).build();
  }

  /** The confidence a diagnosis needs before an action runs without a human, at least the default. */
  public GuardrailLimits withMinConfidenceForAutonomy(double min) {
    return toBuilder().setMinConfidenceForAutonomy(min).build();
  }

  /** These limits plus {@code exception} (unique by name), allowing its action outside a blast radius. */
  public GuardrailLimits withScopeException(ScopeException exception) {
    return toBuilder().addScopeException(exception).build();
  }

  /**
   * Whether the inverse of the agent's own rollback may roll a workload forward again to the revision it rolled back
   * from, which was not healthy, when verification finds the rollback did not help (off by default: the agent then
   * leaves the rollback in place and escalates). A deliberate loosening of the {@code rollback-to-healthy} guardrail,
   * meant for executors that carry the revert out as a proposal a human applies — the GitOps executor's revert pull
   * request — and quoted in every verdict that uses it. The loosening stays narrow: only for the same incident, only
   * the exact opposite of a rollback this agent executed, only while the workload still runs what that rollback
   * restored.
   */
  public GuardrailLimits withRevertOfOwnRollbacks(boolean allowed) {
    Builder b = toBuilder();
    b.revertOwnRollbacks = allowed;
    return b.build();
  }

  /** See {@link #withRevertOfOwnRollbacks}. */
  public boolean revertsOwnRollbacks() {
    return revertOwnRollbacks;
  }

  /** These limits plus the freeze window {@code window}. */
  public GuardrailLimits withFreezeWindow(Freeze window) {
    return toBuilder().addFreezeWindow(window).build();
  }

  public double maxFleetRestartFraction() {
    return maxFleetRestartFraction;
  }

  public Duration restartWindow() {
    return restartWindow;
  }

  public Duration restartWave() {
    return restartWave;
  }

  public Duration cooldown() {
    return cooldown;
  }

  public int maxActionsPerHour() {
    return maxActionsPerHour;
  }

  public int maxReplicas() {
    return maxReplicas;
  }

  public List<String> truncationAllowList() {
    return truncationAllowList;
  }

  public List<Freeze> freezeWindows() {
    return freezeWindows;
  }

  public int maxActionsPerNamespacePerHour() {
    return maxActionsPerNamespacePerHour;
  }

  public double minConfidenceForAutonomy() {
    return minConfidenceForAutonomy;
  }

  /** Actions the incident-scope guardrail allows outside an incident's blast radius, by name (none by default). */
  public List<ScopeException> scopeExceptions() {
    return scopeExceptions;
  }

  /** Builder behind the {@code with…} methods and the policy loader; every setter validates against the ceilings. */
  static final class Builder {
    private double maxFleetRestartFraction = DEFAULT_MAX_FLEET_RESTART_FRACTION;
    private Duration restartWindow = DEFAULT_RESTART_WINDOW;
    private Duration restartWave = DEFAULT_RESTART_WAVE;
    private Duration cooldown = DEFAULT_COOLDOWN;
    private int maxActionsPerHour = DEFAULT_MAX_ACTIONS_PER_HOUR;
    private int maxReplicas = DEFAULT_MAX_REPLICAS;
    private List<String> truncationAllowList = DEFAULT_TRUNCATION_ALLOW_LIST;
    private final List<Freeze> freezeWindows = new ArrayList<>();
    private int maxActionsPerNamespacePerHour = DEFAULT_MAX_ACTIONS_PER_NAMESPACE_PER_HOUR;
    private double minConfidenceForAutonomy = DEFAULT_MIN_CONFIDENCE_FOR_AUTONOMY;
    private final List<ScopeException> scopeExceptions = new ArrayList<>();
    private boolean revertOwnRollbacks;

    private Builder() {}

    /** See {@link GuardrailLimits#withRevertOfOwnRollbacks}. */
    public Builder setRevertOwnRollbacks(boolean allowed) {
      this.revertOwnRollbacks = allowed;
      return this;
    }

    public Builder setMaxFleetRestartFraction(double fraction) {
      if (!(fraction > 0 && fraction <= HARD_MAX_FLEET_RESTART_FRACTION)) {
        throw new IllegalArgumentException("maxFleetRestartFraction must be within (0, "
            + HARD_MAX_FLEET_RESTART_FRACTION + "] (hard ceiling), but was " + fraction);
      }
      this.maxFleetRestartFraction = fraction;
      return this;
    }

    public Builder setRestartWindow(Duration window) {
      Objects.requireNonNull(window, "window");
      if (window.compareTo(HARD_MIN_RESTART_WINDOW) < 0) {
        throw new IllegalArgumentException("restartWindow must be >= " + HARD_MIN_RESTART_WINDOW
            + " (hard floor), but was " + window);
      }
      this.restartWindow = window;
      return this;
    }

    public Builder setRestartWave(Duration wave) {
      Objects.requireNonNull(wave, "wave");
      this.restartWave = Require.positive(wave, "restartWave");
      return this;
    }

    public Builder setCooldown(Duration cooldown) {
      Objects.requireNonNull(cooldown, "cooldown");
      if (cooldown.compareTo(HARD_MIN_COOLDOWN) < 0) {
        throw new IllegalArgumentException(
            "cooldown must be >= " + HARD_MIN_COOLDOWN + " (hard floor), but was " + cooldown);
      }
      this.cooldown = cooldown;
      return this;
    }

    public Builder setMaxActionsPerHour(int max) {
      if (max < 1 || max > HARD_MAX_ACTIONS_PER_HOUR) {
        throw new IllegalArgumentException("maxActionsPerHour must be within [1, " + HARD_MAX_ACTIONS_PER_HOUR
            + "] (hard ceiling), but was " + max);
      }
      this.maxActionsPerHour = max;
      return this;
    }

    public Builder setMaxReplicas(int max) {
      if (max < 1 || max > HARD_MAX_REPLICAS) {
        throw new IllegalArgumentException(
            "maxReplicas must be within [1, " + HARD_MAX_REPLICAS + "] (hard ceiling), but was " + max);
      }
      this.maxReplicas = max;
      return this;
    }

    public Builder setTruncationAllowList(List<String> prefixes) {
      Objects.requireNonNull(prefixes, "prefixes");
      for (String p : prefixes) {
        String problem = TruncationAllowListGuardrail.problemWithPrefix(p);
        if (problem != null) {
          throw new IllegalArgumentException("truncationAllowList entry " + problem);
        }
      }
      this.truncationAllowList = List.copyOf(prefixes);
      return this;
    }

    public Builder setMaxActionsPerNamespacePerHour(int max) {
      if (max < 1 || max > HARD_MAX_ACTIONS_PER_HOUR) {
        throw new IllegalArgumentException("maxActionsPerNamespacePerHour must be within [1, "
            + HARD_MAX_ACTIONS_PER_HOUR + "] (hard ceiling), but was " + max);
      }
      this.maxActionsPerNamespacePerHour = max;
      return this;
    }

    /**
     * Allows {@code exception}'s action outside an incident's blast radius; every use is quoted by name in the
     * verdict (and so in the audit log).
     *
     * @throws IllegalArgumentException when an exception with the same name was added
     */
    public Builder addScopeException(ScopeException exception) {
      Objects.requireNonNull(exception, "exception");
      for (ScopeException e : scopeExceptions) {
        if (e.name().equals(exception.name())) {
          throw new IllegalArgumentException("scopeExceptions names must be unique, but '" + exception.name()
              + "' was added twice");
        }
      }
      scopeExceptions.add(exception);
      return this;
    }

    public Builder addFreezeWindow(Freeze window) {
      freezeWindows.add(Objects.requireNonNull(window, "window"));
      return this;
    }

    public Builder setMinConfidenceForAutonomy(double min) {
      if (!(min >= DEFAULT_MIN_CONFIDENCE_FOR_AUTONOMY && min <= 1)) {
        throw new IllegalArgumentException("minConfidenceForAutonomy must be within ["
            + DEFAULT_MIN_CONFIDENCE_FOR_AUTONOMY + ", 1] (hard floor), but was " + min);
      }
      this.minConfidenceForAutonomy = min;
      return this;
    }

    /** Builds; the builder stays usable. */
    public GuardrailLimits build() {
      return new GuardrailLimits(this);
    }
  }
}

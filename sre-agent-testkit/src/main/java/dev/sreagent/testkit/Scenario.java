package dev.sreagent.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A named run: faults and events at given times after the start, for a total simulated duration.
 *
 * <pre>{@code
 * Scenario two = Scenario.builder("two-bad-deploys")
 *     .description("cart and ads roll out bad revisions at once")
 *     .fault(Duration.ofMinutes(40), new Fault.BadDeploy("cart", 0.2, Duration.ZERO))
 *     .fault(Duration.ofMinutes(40), new Fault.BadDeploy("ads", 0.2, Duration.ZERO))
 *     .event(Duration.ofMinutes(45), ClusterEvent.freeze("release-freeze", Duration.ofMinutes(30)))
 *     .duration(Duration.ofMinutes(160))
 *     .build();
 * }</pre>
 *
 * @param name short name, for example {@code oom-kill}
 * @param description one line
 * @param steps the faults and events, in time order
 * @param duration total simulated time
 */
public record Scenario(String name, String description, List<Step> steps, Duration duration) {
  /** Something scheduled in a scenario. */
  public sealed interface Step permits Inject, Event {
    /** When, after the scenario's start. */
    Duration at();

    /** One line for timelines. */
    String describe();
  }

  /**
   * A fault the agent should find.
   *
   * @param at when, after the start
   * @param fault the fault
   */
  public record Inject(Duration at, Fault fault) implements Step {
    public Inject {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(fault, "fault");
    }

    @Override
    public String describe() {
      return fault.describe();
    }
  }

  /**
   * An event that is not a fault (a deploy, a freeze, the kill switch, an external scale change).
   *
   * @param at when, after the start
   * @param event the event
   */
  public record Event(Duration at, ClusterEvent event) implements Step {
    public Event {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(event, "event");
    }

    @Override
    public String describe() {
      return event.describe();
    }
  }

  public Scenario {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(duration, "duration");
    List<Step> sorted = new ArrayList<>(Objects.requireNonNull(steps, "steps"));
    sorted.sort(Comparator.comparing(Step::at));
    steps = List.copyOf(sorted);
    for (Step s : steps) {
      if (s.at().isNegative() || duration.compareTo(s.at()) <= 0) {
        throw new IllegalArgumentException("duration must be longer than every step (" + s.describe() + " at "
            + s.at() + "), but was " + duration);
      }
    }
  }

  /** One fault (or none) injected after {@code injectAfter}. */
  public Scenario(String name, String description, @Nullable Fault fault, Duration injectAfter, Duration duration) {
    this(name, description, fault == null ? List.of() : List.of(new Inject(injectAfter, fault)), duration);
  }

  /** A builder for a scenario named {@code name}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The faults, in time order. */
  public List<Inject> faults() {
    return steps.stream().filter(Inject.class::isInstance).map(Inject.class::cast).toList();
  }

  /** The first fault, or null for a no-fault run. */
  public @Nullable Fault fault() {
    List<Inject> f = faults();
    return f.isEmpty() ? null : f.get(0).fault();
  }

  /** When the first fault is injected, after the start (zero for a no-fault run). */
  public Duration injectAfter() {
    List<Inject> f = faults();
    return f.isEmpty() ? Duration.ZERO : f.get(0).at();
  }

  /** Builder of {@link Scenario}. */
  public static final class Builder {
    private final String name;
    private String description = "";
    private final List<Step> steps = new ArrayList<>();
    private @Nullable Duration duration;

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    public Builder description(String description) {
      this.description = Objects.requireNonNull(description, "description");
      return this;
    }

    /** Injects {@code fault} {@code at} after the start. */
    public Builder fault(Duration at, Fault fault) {
      steps.add(new Inject(at, fault));
      return this;
    }

    /** Makes {@code event} happen {@code at} after the start. */
    public Builder event(Duration at, ClusterEvent event) {
      steps.add(new Event(at, event));
      return this;
    }

    /** Total simulated time (default: one hour after the last step, at least {@link Scenarios#DURATION}). */
    public Builder duration(Duration duration) {
      this.duration = Objects.requireNonNull(duration, "duration");
      return this;
    }

    public Scenario build() {
      Duration d = duration;
      if (d == null) {
        Duration last = steps.stream().map(Step::at).max(Comparator.naturalOrder()).orElse(Duration.ZERO);
        d = last.plusHours(1).compareTo(Scenarios.DURATION) < 0 ? Scenarios.DURATION : last.plusHours(1);
      }
      return new Scenario(name, description, steps, d);
    }
  }
}

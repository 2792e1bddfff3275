package dev.sreagent.testkit;

import dev.sreagent.api.model.ApprovalDecision;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.port.ApprovalChannel;
import dev.sreagent.api.port.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A simulated on-call engineer: approves every request after {@code responseTime} of (virtual) time, quoting the
 * request's plan hash, with role {@code oncall}. Or, when created with {@link #absent(Clock)}, never answers
 * (requests expire and escalate).
 */
public final class SimulatedOnCall implements ApprovalChannel {
  /** Name of the simulated approver. */
  public static final String APPROVER = "oncall-sim";
  private final Clock clock;
  private final Duration responseTime;
  private final boolean answers;
  private final List<ApprovalRequest> open = new ArrayList<>();
  private final List<ApprovalRequest> received = new ArrayList<>();

  private SimulatedOnCall(Clock clock, Duration responseTime, boolean answers) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.responseTime = Objects.requireNonNull(responseTime, "responseTime");
    this.answers = answers;
  }

  /** Approves every request {@code responseTime} after it arrives. */
  public static SimulatedOnCall approvingAfter(Clock clock, Duration responseTime) {
    return new SimulatedOnCall(clock, responseTime, true);
  }

  /** Never answers. */
  public static SimulatedOnCall absent(Clock clock) {
    return new SimulatedOnCall(clock, Duration.ZERO, false);
  }

  @Override
  public synchronized void request(ApprovalRequest request) {
    open.add(request);
    received.add(request);
  }

  @Override
  public synchronized List<ApprovalDecision> poll() {
    if (!answers) {
      return List.of();
    }
    List<ApprovalDecision> out = new ArrayList<>();
    var now = clock.now();
    open.removeIf(r -> {
      if (!r.requestedAt().plus(responseTime).isAfter(now)) {
        out.add(new ApprovalDecision(r.incident().id(), r.planHash(), APPROVER, "oncall", true, now,
            "simulated on-call approves after reading the diagnosis"));
        return true;
      }
      return false;
    });
    return out;
  }

  /** Every request received. */
  public synchronized List<ApprovalRequest> received() {
    return List.copyOf(received);
  }
}

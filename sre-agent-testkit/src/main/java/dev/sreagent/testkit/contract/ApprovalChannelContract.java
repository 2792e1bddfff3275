package dev.sreagent.testkit.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ApprovalDecision;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.model.SafetyDecision;
import dev.sreagent.api.port.ApprovalChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ApprovalChannel} promises: a request is taken without blocking; a decision is delivered by
 * {@code poll()} once, never again; a decision quotes the hash of the plan it answers.
 */
public abstract class ApprovalChannelContract {
  /** A fresh channel. */
  protected abstract ApprovalChannel create();

  /** Makes a human answer {@code request} through the channel (click, slash command, simulated on-call). */
  protected abstract void answer(ApprovalChannel channel, ApprovalRequest request) throws Exception;

  /** A request for payments' certificate renewal (for tests of channels and their messages). */
  public static ApprovalRequest request() {
    var inc = IncidentStoreContract.incident("INC-0001", "payments", 0);
    RemediationPlan plan = new RemediationPlan(inc.id(), List.of(new Action.RenewCertificate("payments",
        "payments-mtls")), "renew");
    Instant now = inc.openedAt();
    return new ApprovalRequest(inc, plan, plan.hash(), new SafetyDecision(SafetyDecision.Outcome.NEEDS_APPROVAL,
        Phase.ASSIST, List.of(), "phase ASSIST"), now, now.plus(Duration.ofMinutes(30)));
  }

  @Test
  void aDecisionIsDeliveredOnceAndQuotesThePlan() throws Exception {
    ApprovalChannel channel = create();
    assertTrue(channel.poll().isEmpty(), "nothing asked, nothing answered");
    ApprovalRequest req = request();
    channel.request(req);
    answer(channel, req);
    List<ApprovalDecision> got = new ArrayList<>(channel.poll());
    for (int i = 0; i < 3 && got.isEmpty(); i++) {
      got.addAll(channel.poll());
    }
    assertEquals(1, got.size(), "one answer for one request: " + got);
    assertEquals(req.incident().id(), got.get(0).incidentId());
    assertEquals(req.planHash(), got.get(0).planHash(), "the answer quotes the plan's hash");
    assertTrue(channel.poll().isEmpty(), "delivered once, never again");
  }
}

package dev.sreagent.api.port;

import dev.sreagent.api.model.ApprovalDecision;
import dev.sreagent.api.model.ApprovalRequest;
import java.util.List;

/** Where plans go for human approval (dashboard, ChatOps) and where the answers come back from. */
public interface ApprovalChannel {
  /** Publishes a request to humans. Must not block. */
  void request(ApprovalRequest request);

  /** Decisions received since the last call; the agent polls this every tick. */
  default List<ApprovalDecision> poll() {
    return List.of();
  }

  /** A channel that nobody reads: requests expire and escalate. */
  static ApprovalChannel noop() {
    return request -> {};
  }
}

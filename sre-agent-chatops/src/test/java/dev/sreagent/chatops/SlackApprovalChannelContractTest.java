package dev.sreagent.chatops;

import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.port.ApprovalChannel;
import dev.sreagent.testkit.contract.ApprovalChannelContract;
import dev.sreagent.testkit.slack.SlackEmulator;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** The approval channel contract, on the Slack adapter with the emulator: a click is delivered once. */
class SlackApprovalChannelContractTest extends ApprovalChannelContract {
  private final List<AutoCloseable> open = new ArrayList<>();
  private SlackEmulator slack;
  private URI callbacks;

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  @Override
  protected ApprovalChannel create() {
    try {
      slack = new SlackEmulator("xoxb-t", "secret-for-the-contract", "T0C", "C0C");
      open.add(slack);
      Instant at = request().requestedAt();
      SlackChatOps chatOps = SlackChatOps.builder().setChannel("C0C").setToken("xoxb-t")
          .setSigningSecret("secret-for-the-contract").setApiUrl(slack.apiUrl()).addApprover("U0A", "sre")
          .setAgentClock(() -> at).build();
      open.add(chatOps);
      SlackInteractionServer server = new SlackInteractionServer(chatOps, "127.0.0.1", 0);
      open.add(server);
      callbacks = URI.create("http://127.0.0.1:" + server.port() + SlackChatOps.INTERACTIONS_PATH);
      return chatOps;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  protected void answer(ApprovalChannel channel, ApprovalRequest request) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (slack.channelMessages("C0C").isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    SlackEmulator.Message m = slack.channelMessages("C0C").get(0);
    slack.click(callbacks, m, SlackChatOps.ACTION_APPROVE, "U0A", "a");
    slack.click(callbacks, m, SlackChatOps.ACTION_APPROVE, "U0A", "a");  // a double click: still one decision
  }
}

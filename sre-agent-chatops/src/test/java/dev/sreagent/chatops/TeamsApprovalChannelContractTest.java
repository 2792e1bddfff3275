package dev.sreagent.chatops;

import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.port.ApprovalChannel;
import dev.sreagent.testkit.contract.ApprovalChannelContract;
import dev.sreagent.testkit.teams.TeamsEmulator;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** The approval channel contract, on the Teams adapter with the emulator: a click is delivered once. */
class TeamsApprovalChannelContractTest extends ApprovalChannelContract {
  private static final String APP = "6f1c2b3a-1111-4222-8333-444455556666";
  private static final String TENANT = "0a1b2c3d-aaaa-4bbb-8ccc-ddddeeeeffff";
  private static final String CHANNEL = "19:contract@thread.tacv2";
  private static final String ALICE = "11111111-2222-4333-8444-555555555555";
  private final List<AutoCloseable> open = new ArrayList<>();
  private TeamsEmulator teams;

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  @Override
  protected ApprovalChannel create() {
    try {
      teams = TeamsEmulator.start(APP, "contract~secret", TENANT).addConversation(CHANNEL, true);
      open.add(teams);
      Instant at = request().requestedAt();
      TeamsChatOps chatOps = TeamsChatOps.builder().setAppId(APP).setAppPassword("contract~secret").setTenant(TENANT)
          .setConversation(CHANNEL).setServiceUrl(teams.serviceUrl()).setTokenUrl(teams.tokenUrl())
          .setOpenIdUrl(teams.openIdUrl()).addApprover(ALICE, "sre").setAgentClock(() -> at).build();
      open.add(chatOps);
      TeamsMessagingServer server = new TeamsMessagingServer(chatOps, "127.0.0.1", 0);
      open.add(server);
      teams.setBotEndpoint(URI.create("http://127.0.0.1:" + server.port() + TeamsChatOps.MESSAGES_PATH));
      return chatOps;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  protected void answer(ApprovalChannel channel, ApprovalRequest request) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (teams.messages().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    String id = teams.messages().get(0).id();
    teams.click(id, TeamsChatOps.VERB_APPROVE, ALICE, "a");
    teams.click(id, TeamsChatOps.VERB_APPROVE, ALICE, "a");  // a double click: still one decision
  }
}

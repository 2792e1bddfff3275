package dev.sreagent.chatops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.testkit.slack.SlackEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The listener itself: only POST on the two exact paths, the body capped, answers in time with no agent attached. */
class SlackInteractionServerTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void onlyPostOnTheTwoPathsAndEveryRefusalNamesItsReason() throws Exception {
    try (SlackEmulator slack = new SlackEmulator("xoxb-s", "server-secret", "T0S", "C0S");
        SlackChatOps chatOps = SlackChatOps.builder().setChannel("C0S").setToken("xoxb-s").setSigningSecret(
            "server-secret").setApiUrl(slack.apiUrl()).addApprover("U0A", "sre").build();
        SlackInteractionServer server = new SlackInteractionServer(chatOps, "127.0.0.1", 0)) {
      String base = "http://127.0.0.1:" + server.port();
      HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create(base + SlackChatOps.INTERACTIONS_PATH))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(get.statusCode()).isEqualTo(405);
      assertThat(get.headers().firstValue("Allow")).hasValue("POST");
      assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(base + SlackChatOps.COMMANDS_PATH + "/x"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(404);
      assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/")).POST(HttpRequest.BodyPublishers.noBody())
          .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
      HttpResponse<String> unsigned = HTTP.send(HttpRequest.newBuilder(URI.create(base + SlackChatOps.COMMANDS_PATH))
          .POST(HttpRequest.BodyPublishers.ofString("text=stop")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(unsigned.statusCode()).isEqualTo(401);
      assertThat(unsigned.body()).isEqualTo("invalid request signature").doesNotContain("server-secret");
      SlackEmulator.Answer help = slack.command(URI.create(base + SlackChatOps.COMMANDS_PATH), "C0S", "U0A", "a",
          "stop now");
      assertThat(help.status()).isEqualTo(200);
      assertThat(help.body()).as("no kill switch attached: said so, nothing done").contains("takes no commands");
      assertThat(slack.post(URI.create(base + SlackChatOps.COMMANDS_PATH), new byte[SlackChatOps.MAX_BODY_BYTES + 10],
          Instant.now(), null).status()).isEqualTo(413);
      assertThat(chatOps.counters()).containsEntry("refused.unsigned", 1L).containsEntry("refused.body", 1L);
    }
  }

  @Test
  void aClickDuringShutdownIsRefusedSoThatItCanBeMadeAgainAfterTheRestart() throws Exception {
    try (SlackEmulator slack = new SlackEmulator("xoxb-s", "server-secret", "T0S", "C0S");
        SlackChatOps chatOps = SlackChatOps.builder().setChannel("C0S").setToken("xoxb-s").setSigningSecret(
            "server-secret").setApiUrl(slack.apiUrl()).addApprover("U0A", "sre").build();
        SlackInteractionServer server = new SlackInteractionServer(chatOps, "127.0.0.1", 0)) {
      URI commands = URI.create("http://127.0.0.1:" + server.port() + SlackChatOps.COMMANDS_PATH);
      assertThat(slack.command(commands, "C0S", "U0A", "a", "help").status()).isEqualTo(200);
      chatOps.close();
      assertThat(slack.command(commands, "C0S", "U0A", "a", "help").status()).isEqualTo(503);
      assertThat(chatOps.counters()).containsEntry("refused.closing", 1L);
    }
  }
}

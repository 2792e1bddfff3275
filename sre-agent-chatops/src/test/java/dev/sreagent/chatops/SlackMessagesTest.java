package dev.sreagent.chatops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.Confidence;
import dev.sreagent.api.model.Diagnosis;
import dev.sreagent.api.model.Hypothesis;
import dev.sreagent.testkit.contract.ApprovalChannelContract;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class SlackMessagesTest {
  /** A request whose diagnosis says {@code cause}: reasoner and telemetry text, not the agent's. */
  static ApprovalRequest saying(String cause, String rationale) {
    ApprovalRequest r = ApprovalChannelContract.request();
    var inc = r.incident().withDiagnosis(new Diagnosis(List.of(new Hypothesis(cause, 0.9, rationale, List.of(),
        null)), new Confidence(0.8, Map.of(), "test"), "test"), r.requestedAt());
    return new ApprovalRequest(inc, r.plan(), r.planHash(), r.decision(), r.requestedAt(), r.expiresAt());
  }

  @Test
  void textFromTelemetryOrAReasonerCannotMentionOrLink() {
    ApprovalRequest r = saying("<!channel> wake up <@U0BOSS>", "see <https://evil.example/|the fix> & run it");
    String shown = SlackMessages.requestBlocks(r).toString() + SlackMessages.requestText(r);
    assertThat(shown).doesNotContain("<!channel>", "<@U0BOSS>", "<https://evil").contains("&lt;!channel&gt;",
        "&lt;@U0BOSS&gt;", "&amp; run it");
  }

  @Property(tries = 200)
  void noTextEverProducesAControlSequence(@ForAll String cause, @ForAll String rationale) {
    if (cause.isBlank()) {
      return;
    }
    JsonNode blocks = SlackMessages.requestBlocks(saying(cause, rationale));
    for (JsonNode block : blocks) {
      String text = block.path("text").path("text").asText("");
      String own = text.replace("<!date^", "");  // the agent's own date formatting is the only control sequence
      assertThat(own).as("block %s", block).doesNotContain("<!", "<@", "<#", "<http");
      assertThat(text.length()).isLessThanOrEqualTo(SlackMessages.SECTION);
    }
  }

  @Test
  void theButtonsQuoteTheIncidentAndThePlanAndTheLimitsHold() {
    ApprovalRequest r = ApprovalChannelContract.request();
    JsonNode blocks = SlackMessages.withButtons(SlackMessages.requestBlocks(r), r);
    JsonNode actions = blocks.get(blocks.size() - 1);
    assertThat(actions.path("type").asText()).isEqualTo("actions");
    assertThat(actions.path("elements")).hasSize(2);
    for (JsonNode b : actions.path("elements")) {
      assertThat(b.path("value").asText()).isEqualTo("{\"incident\":\"INC-0001\",\"plan\":\"" + r.planHash() + "\"}");
    }
    assertThat(actions.path("elements").get(0).has("confirm")).as("Approve asks again").isTrue();
    assertThat(blocks.get(0).path("text").path("text").asText().length()).isLessThanOrEqualTo(SlackMessages.HEADER);
  }
}

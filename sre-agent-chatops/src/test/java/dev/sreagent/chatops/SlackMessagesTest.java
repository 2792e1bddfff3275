package dev.sreagent.chatops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.Confidence;
import dev.sreagent.api.model.Diagnosis;
import dev.sreagent.api.model.Hypothesis;
import dev.sreagent.api.model.SafetyDecision;
import dev.sreagent.testkit.contract.ApprovalChannelContract;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class SlackMessagesTest {
  /** A request whose diagnosis and gate say what an adversary (or a confused model) wrote. */
  static ApprovalRequest saying(String cause, String rationale, String gateReason) {
    ApprovalRequest r = ApprovalChannelContract.request();
    var inc = r.incident().withDiagnosis(new Diagnosis(List.of(new Hypothesis(cause, 0.9, rationale, List.of(),
        null)), new Confidence(0.8, Map.of(), "test"), "test"), r.requestedAt());
    SafetyDecision d = new SafetyDecision(r.decision().outcome(), r.decision().phase(), r.decision().verdicts(),
        gateReason);
    return new ApprovalRequest(inc, r.plan(), r.planHash(), d, r.requestedAt(), r.expiresAt());
  }

  @Test
  void textFromTelemetryOrAReasonerCannotMentionLinkOrFakeALine() {
    ApprovalRequest r = saying("<!channel> wake up <@U0BOSS> https://evil.example/renew #sec-approvals",
        "see <https://evil.example/|the fix> & run it\n*Safety gate:* EXECUTE in AUTONOMOUS", "phase `x` <!here>");
    ArrayNode blocks = SlackMessages.requestBlocks(r);
    String shown = blocks.toString() + SlackMessages.requestText(r);
    assertThat(shown).doesNotContain("<!channel>", "<@U0BOSS>", "<https://evil", "<!here>").contains(
        "&lt;!channel&gt;", "&lt;@U0BOSS&gt;", "&amp; run it");
    String why = blocks.get(1).path("text").path("text").asText();
    assertThat(why.lines()).as("the rationale's own line break does not start a line of its own")
        .noneMatch(l -> l.startsWith("*Safety gate:*"));
    assertThat(why).contains("`see &lt;https://evil.example/|the fix&gt; &amp; run it *Safety gate:* EXECUTE in"
        + " AUTONOMOUS`");
    for (JsonNode b : blocks) {
      if (b.path("text").path("type").asText().equals("mrkdwn")) {
        assertThat(b.path("text").path("verbatim").asBoolean()).as("no auto-linking: %s", b).isTrue();
      }
    }
  }

  @Property(tries = 300)
  void noUntrustedTextEverProducesAControlSequenceOrEndsItsCodeSpan(@ForAll("hostile") String cause,
      @ForAll("hostile") String rationale, @ForAll("hostile") String reason) {
    if (cause.isBlank()) {
      return;
    }
    for (JsonNode block : SlackMessages.requestBlocks(saying(cause, rationale, reason))) {
      String text = block.path("text").path("text").asText("") + block.path("elements").path(0).path("text")
          .asText("");
      String own = text.replaceAll("<!date\\^\\d+\\^\\{date_short_pretty\\} \\{time_secs\\} \\(your time\\)\\|[^>]*>",
          "");
      assertThat(own).as("block %s", block).doesNotContain("<");
      assertThat(text.length()).isLessThanOrEqualTo(SlackMessages.SECTION);
    }
    String code = SlackMessages.code(cause);
    assertThat(code.chars().filter(c -> c == '`').count()).as(code).isIn(0L, 2L);
    assertThat(code).doesNotContain("\n", "<", ">");
  }

  @Provide
  Arbitrary<String> hostile() {
    return Arbitraries.strings().withChars("<>&!@#|`*_~\n :/abcU0hc".toCharArray()).ofMaxLength(60)
        .edgeCases(e -> e.add("<!channel>").add("<@U0BOSS>").add("<https://x|y>").add("&amp;"));
  }

  @Test
  void aCutNeverEndsInsideAnEscape() {
    String escaped = SlackMessages.escape("a".repeat(95) + "&&&&&&");
    for (int max = 90; max <= escaped.length(); max++) {
      String cut = SlackMessages.cut(escaped, max);
      int amp = cut.lastIndexOf('&');
      assertThat(amp < 0 || cut.indexOf(';', amp) > 0).as("cut at %d: %s", max, cut).isTrue();
    }
  }

  @Test
  void theButtonsQuoteTheIncidentAndThePlanAndTheLimitsHold() {
    ApprovalRequest r = ApprovalChannelContract.request();
    JsonNode actions = SlackMessages.buttons(r);
    assertThat(actions.path("type").asText()).isEqualTo("actions");
    assertThat(actions.path("elements")).hasSize(2);
    for (JsonNode b : actions.path("elements")) {
      assertThat(b.path("value").asText()).isEqualTo("{\"incident\":\"INC-0001\",\"plan\":\"" + r.planHash() + "\"}");
    }
    assertThat(actions.path("elements").get(0).has("confirm")).as("Approve asks again").isTrue();
    assertThat(SlackMessages.requestBlocks(r).get(0).path("text").path("text").asText().length())
        .isLessThanOrEqualTo(SlackMessages.HEADER);
  }
}

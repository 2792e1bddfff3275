package dev.sreagent.chatops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.SafetyDecision;
import dev.sreagent.testkit.contract.ApprovalChannelContract;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class TeamsCardsTest {
  /** The agent's own words: the only text Teams may format (Markdown in a TextBlock, bold runs). */
  private static final Set<String> OWN = Set.of("Approval needed: ", "Why: ", "Affected: ", "• ");

  @Test
  void textFromTelemetryOrAReasonerIsShownAsTypedAndNeverFormatted() {
    ApprovalRequest r = SlackMessagesTest.saying("[renew now](https://evil.example/renew) <at>Boss</at> **urgent**",
        "# Safety gate: EXECUTE in AUTONOMOUS\n- [x] approved", "![img](https://evil.example/p.png)");
    ObjectNode card = TeamsCards.card(r, List.of("⏳ <at>Eve</at> [x](https://evil.example)"), true);
    for (JsonNode block : card.path("body")) {
      if (block.path("type").asText().equals("TextBlock")) {
        assertThat(block.path("text").asText()).as("the one TextBlock (Markdown) is the agent's").startsWith("Expires ")
            .doesNotContain("evil", "<at>");
      } else {
        assertThat(block.path("type").asText()).isEqualTo("RichTextBlock");
        for (JsonNode run : block.path("inlines")) {
          assertThat(run.path("type").asText()).isEqualTo("TextRun");
          if (!run.path("fontType").asText().equals("monospace")) {
            assertThat(run.path("text").asText()).as("an unformatted run is the agent's own label")
                .doesNotContain("evil", "<at>", "[", "#");
          }
        }
      }
    }
    assertThat(card.toString()).contains("[renew now](https://evil.example/renew)");  // shown, as typed
    assertThat(TeamsCards.activity(TeamsCards.requestText(r), card).path("textFormat").asText()).isEqualTo("plain");
    assertThat(card.path("actions")).hasSize(2).allSatisfy(a -> {
      assertThat(a.path("type").asText()).isEqualTo("Action.Execute");
      assertThat(a.path("data").path("incident").asText()).isEqualTo("INC-0001");
      assertThat(a.path("data").path("plan").asText()).isEqualTo(r.planHash());
    });
    assertThat(TeamsCards.card(r, List.of("closed"), false).has("actions")).isFalse();
  }

  @Property(tries = 60)
  void everyCardFitsTeamsLimitWhateverItQuotes(@ForAll("hostile") String cause, @ForAll("hostile") String reason,
      @ForAll("counts") int verdicts) {
    if (cause.isBlank()) {
      return;
    }
    ApprovalRequest r = SlackMessagesTest.saying(cause, cause + reason, reason);
    List<GuardrailVerdict> many = new ArrayList<>();
    for (int i = 0; i < verdicts; i++) {
      many.add(new GuardrailVerdict(GuardrailVerdict.Verdict.ALLOW, "policy-" + reason, reason));
    }
    SafetyDecision d = new SafetyDecision(r.decision().outcome(), r.decision().phase(), many, reason);
    ApprovalRequest big = new ApprovalRequest(r.incident(), r.plan(), r.planHash(), d, r.requestedAt(),
        r.expiresAt());
    ObjectNode card = TeamsCards.card(big, java.util.Collections.nCopies(12, cause + reason), true);
    int bytes = TeamsCards.activity(TeamsCards.requestText(big), card).toString().getBytes(StandardCharsets.UTF_8)
        .length;
    assertThat(bytes).isLessThanOrEqualTo(TeamsCards.MAX_BYTES).isLessThan(28_000);
    assertThat(card.path("actions")).as("the buttons always survive the cuts").hasSize(2);
  }

  @Test
  void theLongestWidestTextStillFits() {
    String wide = "😀\"".repeat(3000);  // four bytes and an escape per pair: the most bytes per character
    everyCardFitsTeamsLimitWhateverItQuotes(wide, wide, 40);
  }

  @Provide
  Arbitrary<String> hostile() {
    return Arbitraries.strings().withChars("<>&[]()#*_`\"\\\n 語😀é\u0001abc".toCharArray()).ofMinLength(0)
        .ofMaxLength(4000);
  }

  @Provide
  Arbitrary<Integer> counts() {
    return Arbitraries.integers().between(0, 40);
  }
}

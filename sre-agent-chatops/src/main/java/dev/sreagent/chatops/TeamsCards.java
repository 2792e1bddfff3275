package dev.sreagent.chatops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.Incident;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The Adaptive Cards (version 1.4, Universal Actions) of the Teams adapter. Text from telemetry or a reasoner goes
 * only into {@code TextRun}s, which Teams shows as typed (no Markdown: no link, mention or formatting can be
 * smuggled in); only the agent's own labels are formatted.
 */
final class TeamsCards {
  static final String CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";
  static final int MAX_VERDICTS = SlackMessages.MAX_VERDICTS;
  static final int MAX_ACTIONS = 20;
  /** The closing lines shown: the last ones. */
  static final int MAX_LINES = 6;
  /** Teams refuses a message over about 28 KB; the card stays under this many bytes with its activity. */
  static final int MAX_BYTES = 24_000;
  /** The card's own share: the rest is the activity's preview text ({@link #requestText}) and envelope. */
  static final int CARD_BYTES = MAX_BYTES - 2_000;
  /** The preview text's length in characters (at most three bytes each). */
  static final int PREVIEW = 400;

  private TeamsCards() {}

  /**
   * The card of an approval request: what it shows, the lines that closed it, its buttons while it is open. Every
   * text is cut, and cut shorter while the card is over {@value #CARD_BYTES} bytes (text of three bytes a character
   * and many actions), so the activity stays under {@value #MAX_BYTES} bytes whatever it quotes.
   */
  static ObjectNode card(ApprovalRequest req, List<String> lines, boolean open) {
    for (int share = 1; ; share *= 2) {
      ObjectNode card = card(req, lines, open, share);
      if (share >= 64 || card.toString().getBytes(StandardCharsets.UTF_8).length <= CARD_BYTES) {
        return card;
      }
    }
  }

  /** The card with each text cut to {@code 1/share} of its usual length. */
  private static ObjectNode card(ApprovalRequest req, List<String> lines, boolean open, int share) {
    Incident inc = req.incident();
    ObjectNode card = SlackWebApi.JSON.createObjectNode().put("type", "AdaptiveCard")
        .put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json").put("version", "1.4");
    ArrayNode body = card.putArray("body");
    body.add(rich(true, "Approval needed: ", cut(SlackMessages.title(inc), 300, share)));
    if (inc.diagnosis() != null) {
      var top = inc.diagnosis().top();
      body.add(rich(false, "Why: ", cut(top.cause(), 500, share), String.format(Locale.ROOT,
          " (confidence %.2f)", inc.diagnosis().confidence().score())));
      if (!top.rationale().isBlank()) {
        body.add(rich(false, "", cut(top.rationale(), 1500, share)));
      }
    } else {
      body.add(rich(false, "Why: ", "no diagnosis yet"));
    }
    body.add(rich(false, "Affected: ", cut(String.join(", ", inc.affectedServices()), 500, share)));
    body.add(rich(false, "Plan " + req.planHash().substring(0, Math.min(12, req.planHash().length())) + ": ",
        cut(req.plan().rationale(), 500, share)));
    List<Action> steps = req.plan().actions();
    for (int i = 0; i < steps.size() && i < MAX_ACTIONS; i++) {
      body.add(rich(false, "• ", cut(steps.get(i).canonical(), 300, share)));
    }
    if (steps.size() > MAX_ACTIONS) {
      body.add(rich(false, "• … and " + (steps.size() - MAX_ACTIONS) + " more (the plan's hash covers them all)"));
    }
    body.add(rich(false, "Safety gate: " + req.decision().outcome() + " in " + req.decision().phase() + ": ",
        cut(req.decision().reason(), 300, share)));
    List<GuardrailVerdict> verdicts = req.decision().verdicts();
    for (int i = 0; i < verdicts.size() && i < MAX_VERDICTS; i++) {
      GuardrailVerdict v = verdicts.get(i);
      body.add(rich(false, "• ", cut(v.policy(), 100, share) + ": " + v.verdict() + ", "
          + cut(v.reason(), 200, share)));
    }
    if (verdicts.size() > MAX_VERDICTS) {
      body.add(rich(false, "• … and " + (verdicts.size() - MAX_VERDICTS) + " more"));
    }
    body.addObject().put("type", "TextBlock").put("wrap", true).put("isSubtle", true).put("size", "small")
        .put("text", "Expires " + req.expiresAt() + " (UTC). Unanswered, it escalates; it never approves itself."
            + " Approving approves these exact actions: the agent re-checks every guardrail before it acts.");
    for (String line : lines.subList(Math.max(0, lines.size() - MAX_LINES), lines.size())) {
      body.add(rich(true, "", cut(line, 500, share)));
    }
    if (open) {
      ArrayNode actions = card.putArray("actions");
      actions.add(execute("Approve", TeamsChatOps.VERB_APPROVE, "positive", req));
      actions.add(execute("Reject", TeamsChatOps.VERB_REJECT, "destructive", req));
    }
    return card;
  }

  private static String cut(String text, int max, int share) {
    return SlackMessages.cut(text, Math.max(16, max / share));
  }

  private static ObjectNode execute(String title, String verb, String style, ApprovalRequest req) {
    ObjectNode a = SlackWebApi.JSON.createObjectNode().put("type", "Action.Execute").put("title", title)
        .put("verb", verb).put("style", style);
    a.putObject("data").put("incident", req.incident().id()).put("plan", req.planHash());
    return a;
  }

  /**
   * A line: the agent's own {@code label} (bold when {@code strong}), then each untrusted part as typed, in a
   * monospace run.
   */
  static ObjectNode rich(boolean strong, String label, String... untrusted) {
    ObjectNode block = SlackWebApi.JSON.createObjectNode().put("type", "RichTextBlock");
    ArrayNode inlines = block.putArray("inlines");
    if (!label.isEmpty()) {
      inlines.addObject().put("type", "TextRun").put("text", label).put("weight", strong ? "bolder" : "default");
    }
    for (String u : untrusted) {
      if (!u.isEmpty()) {
        inlines.addObject().put("type", "TextRun").put("text", flat(u)).put("fontType", "monospace");
      }
    }
    return block;
  }

  /** An activity with {@code card} as its one attachment and {@code text} as its plain-text preview. */
  static ObjectNode activity(String text, ObjectNode card) {
    ObjectNode a = message(text);
    a.putArray("attachments").addObject().put("contentType", CONTENT_TYPE).set("content", card);
    return a;
  }

  /** A plain-text message: {@code textFormat: plain}, so Teams shows it as typed. */
  static ObjectNode message(String text) {
    return SlackWebApi.JSON.createObjectNode().put("type", "message").put("textFormat", "plain")
        .put("text", SlackMessages.cut(flat(text), 2000));
  }

  /** The preview text of an approval request. */
  static String requestText(ApprovalRequest req) {
    return SlackMessages.cut("Approval needed: " + SlackMessages.title(req.incident()) + ": "
        + req.plan().actions().size() + " action(s), expires " + req.expiresAt(), PREVIEW);
  }

  /** A thread reply or a note for an event. */
  static String eventText(IncidentEvent e) {
    return e.kind() + " " + SlackMessages.title(e.incident()) + ": " + e.message();
  }

  /** An invoke's answer: the card as it now is. */
  static String cardResponse(ObjectNode card) {
    ObjectNode r = SlackWebApi.JSON.createObjectNode().put("statusCode", 200).put("type", CONTENT_TYPE);
    r.set("value", card);
    return r.toString();
  }

  /** An invoke's answer: a message shown to the one who clicked. */
  static String messageResponse(String text) {
    return SlackWebApi.JSON.createObjectNode().put("statusCode", 200)
        .put("type", "application/vnd.microsoft.activity.message").put("value", flat(text)).toString();
  }

  private static String flat(String s) {
    return s.replaceAll("[\\p{Cntrl}&&[^\\n]]", " ");
  }
}

package dev.sreagent.chatops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.Incident;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The Block Kit layout of the adapter's messages. Every text that comes from telemetry or a reasoner (service names,
 * hypotheses, reasons) is escaped: {@code <!channel>} in a service name stays text and pings nobody, and no link or
 * mention can be smuggled into a message.
 */
final class SlackMessages {
  /** Slack's limits: a section's text, a header's text, a message's text. */
  static final int SECTION = 3000;
  static final int HEADER = 150;
  static final int MAX_VERDICTS = 10;

  private SlackMessages() {}

  /** Escapes Slack's three control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  static String cut(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }

  static String title(Incident inc) {
    return inc.id() + " " + inc.type().name() + " " + inc.severity() + " on " + inc.rootService();
  }

  /** The fallback text (notifications, screen readers) of an approval request. */
  static String requestText(ApprovalRequest req) {
    return escape(cut("Approval needed: " + title(req.incident()) + ": " + req.plan().actions().size()
        + " action(s), expires " + req.expiresAt(), SECTION));
  }

  /** The blocks of an approval request, without its buttons (they are added by {@link #withButtons}). */
  static ArrayNode requestBlocks(ApprovalRequest req) {
    Incident inc = req.incident();
    ArrayNode blocks = SlackWebApi.JSON.createArrayNode();
    blocks.addObject().put("type", "header").set("text", plain(cut("Approval needed: " + title(inc), HEADER)));
    StringBuilder why = new StringBuilder("*Why:* ");
    if (inc.diagnosis() != null) {
      var top = inc.diagnosis().top();
      why.append(escape(top.cause())).append(String.format(Locale.ROOT, " (confidence %.2f)",
          inc.diagnosis().confidence().score()));
      if (!top.rationale().isBlank()) {
        why.append("\n").append(escape(top.rationale()));
      }
    } else {
      why.append("no diagnosis yet");
    }
    why.append("\n*Affected:* ").append(escape(String.join(", ", inc.affectedServices())));
    blocks.add(section(why.toString()));
    StringBuilder plan = new StringBuilder("*Plan* `" + req.planHash().substring(0, Math.min(12,
        req.planHash().length())) + "`: " + escape(req.plan().rationale()));
    for (Action a : req.plan().actions()) {
      plan.append("\n• `").append(escape(a.canonical()).replace("`", "'")).append('`');
    }
    blocks.add(section(plan.toString()));
    StringBuilder gate = new StringBuilder("*Safety gate:* " + req.decision().outcome() + " in "
        + req.decision().phase() + ": " + escape(req.decision().reason()));
    List<GuardrailVerdict> verdicts = req.decision().verdicts();
    for (int i = 0; i < verdicts.size() && i < MAX_VERDICTS; i++) {
      GuardrailVerdict v = verdicts.get(i);
      gate.append("\n• ").append(escape(v.policy())).append(": ").append(v.verdict()).append(", ")
          .append(escape(v.reason()));
    }
    if (verdicts.size() > MAX_VERDICTS) {
      gate.append("\n• … and ").append(verdicts.size() - MAX_VERDICTS).append(" more");
    }
    blocks.add(section(gate.toString()));
    blocks.addObject().put("type", "context").putArray("elements").addObject().put("type", "mrkdwn").put("text",
        "Expires " + date(req.expiresAt()) + ". Unanswered, it escalates; it never approves itself. Approving"
            + " approves these exact actions: the agent re-checks every guardrail before it acts.");
    return blocks;
  }

  /** {@code blocks} and the Approve and Reject buttons whose value names the incident and the plan. */
  static ArrayNode withButtons(ArrayNode blocks, ApprovalRequest req) {
    ArrayNode copy = blocks.deepCopy();
    String value = SlackWebApi.JSON.createObjectNode().put("incident", req.incident().id())
        .put("plan", req.planHash()).toString();
    ObjectNode actions = copy.addObject().put("type", "actions").put("block_id", "sreagent.decision");
    ArrayNode elements = actions.putArray("elements");
    ObjectNode approve = elements.addObject().put("type", "button").put("action_id", SlackChatOps.ACTION_APPROVE)
        .put("style", "primary").put("value", value);
    approve.set("text", plain("Approve"));
    ObjectNode confirm = approve.putObject("confirm");
    confirm.set("title", plain("Run the plan?"));
    confirm.set("text", plain(cut(req.plan().actions().size() + " action(s) on " + req.incident().rootService()
        + ", after the guardrails are checked again.", 300)));
    confirm.set("confirm", plain("Approve"));
    confirm.set("deny", plain("Cancel"));
    elements.addObject().put("type", "button").put("action_id", SlackChatOps.ACTION_REJECT).put("style", "danger")
        .put("value", value).set("text", plain("Reject"));
    return copy;
  }

  /** {@code blocks} with a closing line in place of the buttons. */
  static ArrayNode closed(ArrayNode blocks, String line) {
    ArrayNode copy = blocks.deepCopy();
    copy.add(section(cut(line, SECTION)));
    return copy;
  }

  /** A thread reply or a top-level note for an event. */
  static String eventText(IncidentEvent e) {
    return escape(cut(e.kind() + " " + title(e.incident()) + ": " + e.message(), SECTION));
  }

  static String date(Instant at) {
    return "<!date^" + at.getEpochSecond() + "^{date_short_pretty} {time_secs} (your time)|" + at + ">";
  }

  static ObjectNode section(String mrkdwn) {
    ObjectNode s = SlackWebApi.JSON.createObjectNode().put("type", "section");
    s.putObject("text").put("type", "mrkdwn").put("text", cut(mrkdwn, SECTION));
    return s;
  }

  static ObjectNode plain(String text) {
    return SlackWebApi.JSON.createObjectNode().put("type", "plain_text").put("text", text);
  }
}

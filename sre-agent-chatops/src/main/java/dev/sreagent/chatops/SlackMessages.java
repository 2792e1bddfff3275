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

  /**
   * Text from telemetry or a reasoner as one code span: escaped, on one line, no backtick to end the span early, so
   * it can neither format, nor link, nor mention, nor start a line that looks like the agent's own.
   */
  static String code(String untrusted) {
    String flat = untrusted.replace('`', '\'').replace('\n', ' ').replace('\r', ' ').strip();
    return flat.isEmpty() ? "" : "`" + escape(flat) + "`";
  }

  /** At most {@code max} characters, never ending inside an escape ({@code &amp;}). */
  static String cut(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    String head = text.substring(0, max - 1);
    int amp = head.lastIndexOf('&');
    if (amp >= 0 && head.indexOf(';', amp) < 0) {
      head = head.substring(0, amp);
    }
    return head + "…";
  }

  static String title(Incident inc) {
    return inc.id() + " " + inc.type().name() + " " + inc.severity() + " on " + inc.rootService();
  }

  /** The fallback text (notifications, screen readers) of an approval request. */
  static String requestText(ApprovalRequest req) {
    return escape(cut("Approval needed: " + title(req.incident()) + ": " + req.plan().actions().size()
        + " action(s), expires " + req.expiresAt(), SECTION));
  }

  /** The blocks of an approval request, without its buttons (see {@link #buttons}). */
  static ArrayNode requestBlocks(ApprovalRequest req) {
    Incident inc = req.incident();
    ArrayNode blocks = SlackWebApi.JSON.createArrayNode();
    blocks.addObject().put("type", "header").set("text", plain(cut("Approval needed: " + title(inc), HEADER)));
    StringBuilder why = new StringBuilder("*Why:* ");
    if (inc.diagnosis() != null) {
      var top = inc.diagnosis().top();
      why.append(code(cut(top.cause(), 500))).append(String.format(Locale.ROOT, " (confidence %.2f)",
          inc.diagnosis().confidence().score()));
      if (!top.rationale().isBlank()) {
        why.append("\n").append(code(cut(top.rationale(), 1500)));
      }
    } else {
      why.append("no diagnosis yet");
    }
    why.append("\n*Affected:* ").append(code(cut(String.join(", ", inc.affectedServices()), 500)));
    blocks.add(section(why.toString()));
    StringBuilder plan = new StringBuilder("*Plan* `" + req.planHash().substring(0, Math.min(12,
        req.planHash().length())) + "`: " + code(cut(req.plan().rationale(), 500)));
    for (Action a : req.plan().actions()) {
      plan.append("\n• ").append(code(cut(a.canonical(), 300)));
    }
    blocks.add(section(plan.toString()));
    StringBuilder gate = new StringBuilder("*Safety gate:* " + req.decision().outcome() + " in "
        + req.decision().phase() + ": " + code(cut(req.decision().reason(), 300)));
    List<GuardrailVerdict> verdicts = req.decision().verdicts();
    for (int i = 0; i < verdicts.size() && i < MAX_VERDICTS; i++) {
      GuardrailVerdict v = verdicts.get(i);
      gate.append("\n• ").append(code(v.policy())).append(": ").append(v.verdict()).append(", ")
          .append(code(cut(v.reason(), 200)));
    }
    if (verdicts.size() > MAX_VERDICTS) {
      gate.append("\n• … and ").append(verdicts.size() - MAX_VERDICTS).append(" more");
    }
    blocks.add(section(gate.toString()));
    blocks.addObject().put("type", "context").putArray("elements").addObject().put("type", "mrkdwn")
        .put("verbatim", true).put("text", "Expires " + date(req.expiresAt()) + ". Unanswered, it escalates; it never approves itself. Approving"
            + " approves these exact actions: the agent re-checks every guardrail before it acts.");
    return blocks;
  }

  /** The Approve and Reject buttons; their value names the incident and the plan. */
  static ObjectNode buttons(ApprovalRequest req) {
    String value = SlackWebApi.JSON.createObjectNode().put("incident", req.incident().id())
        .put("plan", req.planHash()).toString();
    ObjectNode actions = SlackWebApi.JSON.createObjectNode().put("type", "actions").put("block_id",
        "sreagent.decision");
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
    return actions;
  }

  /** A thread reply or a top-level note for an event: sent with {@code mrkdwn: false}, so shown as typed. */
  static String eventText(IncidentEvent e) {
    return escape(cut(e.kind() + " " + title(e.incident()) + ": " + e.message(), SECTION));
  }

  static String date(Instant at) {
    return "<!date^" + at.getEpochSecond() + "^{date_short_pretty} {time_secs} (your time)|" + at + ">";
  }

  static ObjectNode section(String mrkdwn) {
    ObjectNode s = SlackWebApi.JSON.createObjectNode().put("type", "section");
    // verbatim: no auto-linking of URLs or channel names, no parsing of mentions the agent did not write as such
    s.putObject("text").put("type", "mrkdwn").put("text", cut(mrkdwn, SECTION)).put("verbatim", true);
    return s;
  }

  static ObjectNode plain(String text) {
    return SlackWebApi.JSON.createObjectNode().put("type", "plain_text").put("text", text);
  }
}

package dev.sreagent.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The model's answer, parsed strictly: one JSON object (a Markdown code fence around it is tolerated) with 1 to 5
 * hypotheses, every field present and of the right type, likelihoods in [0, 1], directions {@code up} or
 * {@code down}, no unknown fields. Anything else is a {@link MalformedAnswer} naming the first problem.
 */
record LlmAnswer(List<H> hypotheses) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FIELDS = Set.of("cause", "likelihood", "root_service", "rationale", "citations",
      "evidence", "signals", "action");

  /** A claim that a signal moved. */
  record Signal(String service, String metric, String direction) {}

  /** One hypothesis as the model stated it. */
  record H(String cause, double likelihood, String rootService, String rationale, List<String> citations,
      List<String> evidence, List<Signal> signals, String action) {}

  /** The answer does not follow the schema. */
  static final class MalformedAnswer extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedAnswer(String message) {
      super(message);
    }
  }

  static LlmAnswer parse(String text) throws MalformedAnswer {
    String t = text.strip();
    if (t.startsWith("```")) {
      t = t.replaceFirst("^```(?:json)?\\s*", "").replaceFirst("\\s*```$", "");
    }
    JsonNode root;
    try {
      root = JSON.readTree(t);
    } catch (IOException e) {
      throw new MalformedAnswer("not JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.isObject() || root.size() != 1 || !root.path("hypotheses").isArray()) {
      throw new MalformedAnswer("expected exactly {\"hypotheses\": [...]}");
    }
    JsonNode hs = root.path("hypotheses");
    if (hs.isEmpty() || hs.size() > 5) {
      throw new MalformedAnswer("1 to 5 hypotheses expected, got " + hs.size());
    }
    List<H> out = new ArrayList<>();
    int i = 0;
    for (JsonNode h : hs) {
      String at = "hypotheses[" + i++ + "]";
      if (!h.isObject()) {
        throw new MalformedAnswer(at + " is not an object");
      }
      for (var f : h.properties()) {
        if (!FIELDS.contains(f.getKey())) {
          throw new MalformedAnswer(at + " has an unknown field '" + f.getKey() + "'");
        }
      }
      double likelihood = number(h, "likelihood", at);
      if (!(likelihood >= 0 && likelihood <= 1)) {
        throw new MalformedAnswer(at + ".likelihood must be within [0, 1], got " + likelihood);
      }
      List<Signal> signals = new ArrayList<>();
      for (JsonNode s : array(h, "signals", at)) {
        String dir = text(s, "direction", at + ".signals");
        if (!dir.equals("up") && !dir.equals("down")) {
          throw new MalformedAnswer(at + ".signals direction must be up or down, got '" + dir + "'");
        }
        signals.add(new Signal(text(s, "service", at + ".signals"), text(s, "metric", at + ".signals"), dir));
      }
      String cause = text(h, "cause", at);
      if (cause.isBlank() || cause.length() > 500) {
        throw new MalformedAnswer(at + ".cause must be a sentence (1 to 500 characters)");
      }
      out.add(new H(cause, likelihood, text(h, "root_service", at), text(h, "rationale", at),
          strings(h, "citations", at), strings(h, "evidence", at), signals, text(h, "action", at)));
    }
    return new LlmAnswer(out);
  }

  private static JsonNode array(JsonNode h, String field, String at) throws MalformedAnswer {
    JsonNode n = h.get(field);
    if (n == null || !n.isArray()) {
      throw new MalformedAnswer(at + "." + field + " must be an array");
    }
    return n;
  }

  private static List<String> strings(JsonNode h, String field, String at) throws MalformedAnswer {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array(h, field, at)) {
      if (!n.isTextual()) {
        throw new MalformedAnswer(at + "." + field + " must hold strings");
      }
      out.add(n.asText());
    }
    return out;
  }

  private static String text(JsonNode h, String field, String at) throws MalformedAnswer {
    JsonNode n = h.get(field);
    if (n == null || !n.isTextual()) {
      throw new MalformedAnswer(at + "." + field + " must be a string");
    }
    return n.asText();
  }

  private static double number(JsonNode h, String field, String at) throws MalformedAnswer {
    JsonNode n = h.get(field);
    if (n == null || !n.isNumber()) {
      throw new MalformedAnswer(at + "." + field + " must be a number");
    }
    return n.asDouble();
  }
}

package dev.sreagent.otel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * The OTLP/JSON encoding (OTLP specification, "JSON Protobuf Encoding"): the protobuf JSON mapping with two
 * differences that this class handles: trace and span ids are hex strings rather than base64, and receivers must
 * ignore unknown fields. Field names may be lowerCamelCase or the original snake_case; enums may be names or
 * integers; 64-bit integers may be strings or numbers.
 */
final class OtlpJson {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> ID_FIELDS =
      Set.of("traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id");
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

  private OtlpJson() {}

  /** Parses an OTLP/JSON body into {@code builder}; the exception's message says what is wrong and where. */
  static void merge(byte[] body, Message.Builder builder) throws InvalidProtocolBufferException {
    JsonNode tree;
    try {
      tree = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new InvalidProtocolBufferException("malformed JSON: " + e.getOriginalMessage() + " at line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
    } catch (java.io.IOException e) {
      throw new InvalidProtocolBufferException("unreadable JSON: " + e.getMessage());
    }
    if (tree == null || !tree.isObject()) {
      throw new InvalidProtocolBufferException("the body must be a JSON object such as {\"resourceMetrics\": [...]}");
    }
    hexIdsToBase64(tree, "$");
    PARSER.merge(tree.toString(), builder);
  }

  /** The JSON encoding of a response message. */
  static byte[] print(Message m) {
    try {
      return PRINTER.print(m).getBytes(StandardCharsets.UTF_8);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + m.getDescriptorForType().getName(), e);
    }
  }

  /** Rewrites every hex id field to the base64 the protobuf JSON mapping expects for bytes. */
  private static void hexIdsToBase64(JsonNode node, String path) throws InvalidProtocolBufferException {
    if (node instanceof ObjectNode o) {
      Map<String, JsonNode> replaced = new java.util.HashMap<>();
      for (Map.Entry<String, JsonNode> f : o.properties()) {
        String at = path + "." + f.getKey();
        if (ID_FIELDS.contains(f.getKey()) && f.getValue().isTextual()) {
          replaced.put(f.getKey(), JSON.getNodeFactory().textNode(base64(f.getValue().asText(), at)));
        } else {
          hexIdsToBase64(f.getValue(), at);
        }
      }
      o.setAll(replaced);
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        hexIdsToBase64(a.get(i), path + "[" + i + "]");
      }
    }
  }

  private static String base64(String hex, String path) throws InvalidProtocolBufferException {
    try {
      return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new InvalidProtocolBufferException(path + " must be a hex string (OTLP/JSON encodes trace ids as 32 and"
          + " span ids as 16 hex digits), but was '" + (hex.length() > 40 ? hex.substring(0, 40) + "..." : hex)
          + "'");
    }
  }
}

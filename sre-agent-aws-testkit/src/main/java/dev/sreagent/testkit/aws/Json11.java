package dev.sreagent.testkit.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Map;

/** The AWS JSON 1.1 protocol's bodies: {@code application/x-amz-json-1.1}, errors as {@code __type} and message. */
final class Json11 {
  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String CONTENT_TYPE = "application/x-amz-json-1.1";

  private Json11() {}

  /** Thrown by an operation to answer with an AWS error. */
  static final class AwsError extends RuntimeException {
    final int status;
    final String code;

    AwsError(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }

    static AwsError client(String code, String message) {
      return new AwsError(400, code, message);
    }
  }

  static ObjectNode parse(byte[] body) {
    if (body.length == 0) {
      return MAPPER.createObjectNode();
    }
    try {
      JsonNode n = MAPPER.readTree(body);
      if (n instanceof ObjectNode o) {
        return o;
      }
      throw AwsError.client("SerializationException", "the body must be a JSON object");
    } catch (IOException e) {
      throw AwsError.client("SerializationException", "the body is not JSON: " + e.getMessage());
    }
  }

  static AwsEmulator.Response ok(JsonNode result) {
    try {
      return new AwsEmulator.Response(200, Map.of("Content-Type", CONTENT_TYPE), MAPPER.writeValueAsBytes(result));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static AwsEmulator.Response error(int status, String code, String message) {
    ObjectNode n = MAPPER.createObjectNode().put("__type", code).put("message", message);
    try {
      return new AwsEmulator.Response(status, Map.of("Content-Type", CONTENT_TYPE, "x-amzn-ErrorType", code),
          MAPPER.writeValueAsBytes(n));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

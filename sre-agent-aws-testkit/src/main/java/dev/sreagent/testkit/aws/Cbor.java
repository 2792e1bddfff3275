package dev.sreagent.testkit.aws;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The Smithy RPC v2 CBOR protocol's bodies: {@code application/cbor}, header {@code smithy-protocol: rpc-v2-cbor}. */
final class Cbor {
  static final CBORMapper MAPPER = new CBORMapper();
  static final Map<String, String> HEADERS = Map.of("Content-Type", "application/cbor", "smithy-protocol",
      "rpc-v2-cbor");
  /** CBOR's tag for a date-time as seconds since the epoch (RFC 8949 §3.4.2), Smithy's timestamp encoding. */
  static final int EPOCH_TAG = 1;

  private Cbor() {}

  /** Thrown by an RPC v2 operation to answer with an AWS error. */
  static final class RpcError extends RuntimeException {
    final int status;
    final String type;
    final @Nullable String queryCode;

    /**
     * @param status the HTTP status
     * @param type the body's {@code __type} (a Smithy shape id such as
     *     {@code com.amazonaws.cloudwatch#InvalidParameterValueException}, or a bare code)
     * @param queryCode the AWS Query error code for the {@code x-amzn-query-error} header of services with the
     *     {@code awsQueryCompatible} trait (such as {@code InvalidParameterValue}), or null
     * @param message the message
     */
    RpcError(int status, String type, @Nullable String queryCode, String message) {
      super(message);
      this.status = status;
      this.type = type;
      this.queryCode = queryCode;
    }
  }

  static AwsEmulator.Response error(int status, String code, String message) {
    ObjectNode n = MAPPER.createObjectNode().put("__type", code).put("message", message);
    try {
      return new AwsEmulator.Response(status, HEADERS, MAPPER.writeValueAsBytes(n));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * An error answer of an {@code awsQueryCompatible} service: {@code __type} and {@code message} in the body and,
   * when the client asked for it ({@code x-amzn-query-mode: true}), {@code x-amzn-query-error: CODE;Sender} (or
   * {@code ;Receiver} for a 5xx), which the SDK reports as the error code.
   */
  static AwsEmulator.Response error(RpcError e, boolean queryMode) {
    ObjectNode n = MAPPER.createObjectNode().put("__type", e.type).put("message", e.getMessage());
    Map<String, String> headers = new LinkedHashMap<>(HEADERS);
    if (queryMode && e.queryCode != null) {
      headers.put("x-amzn-query-error", e.queryCode + (e.status >= 500 ? ";Receiver" : ";Sender"));
    }
    try {
      return new AwsEmulator.Response(e.status, Map.copyOf(headers), MAPPER.writeValueAsBytes(n));
    } catch (IOException x) {
      throw new IllegalStateException(x);
    }
  }

  /** A 200 answer with an already encoded body. */
  static AwsEmulator.Response ok(byte[] body) {
    return new AwsEmulator.Response(200, HEADERS, body);
  }

  /**
   * Decodes a request body (an empty body is an empty structure) and checks that each top-level member named in
   * {@code timestamps} is a number under tag 1, as Smithy RPC v2 CBOR encodes timestamps; anything else is a
   * {@code SerializationException}.
   */
  static ObjectNode parse(byte[] body, Set<String> timestamps) {
    if (body.length == 0) {
      return MAPPER.createObjectNode();
    }
    try (CBORParser p = MAPPER.getFactory().createParser(body)) {
      int depth = 0;
      String member = null;
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.FIELD_NAME) {
          member = depth == 1 ? p.currentName() : null;
          continue;
        }
        if (depth == 1 && member != null && timestamps.contains(member)) {
          if (!t.isNumeric() || p.getCurrentTag() != EPOCH_TAG) {
            throw serialization("member " + member + " must be a timestamp: a number of epoch seconds under CBOR"
                + " tag 1, but was " + t + (p.getCurrentTag() >= 0 ? " with tag " + p.getCurrentTag() : ""));
          }
        }
        if (t.isStructStart()) {
          depth++;
        } else if (t.isStructEnd()) {
          depth--;
        }
        member = null;
      }
    } catch (IOException e) {
      throw serialization("the body is not CBOR: " + e.getMessage());
    }
    try {
      JsonNode n = MAPPER.readTree(body);
      if (n instanceof ObjectNode o) {
        return o;
      }
      throw serialization("the body must be a CBOR map, but was " + n.getNodeType());
    } catch (IOException e) {
      throw serialization("the body is not CBOR: " + e.getMessage());
    }
  }

  private static RpcError serialization(String message) {
    return new RpcError(400, "SerializationException", null, message);
  }
}

package dev.sreagent.core.internal;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.sreagent.api.model.Action;
import java.io.UncheckedIOException;

/** The one JSON mapper of the core: stable key order, ISO-8601 times, the sealed action hierarchy. */
public final class Json {
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "@type")
  @JsonSubTypes({
      @JsonSubTypes.Type(value = Action.RestartPods.class, name = "restart-pods"),
      @JsonSubTypes.Type(value = Action.ScaleReplicas.class, name = "scale"),
      @JsonSubTypes.Type(value = Action.RollBack.class, name = "rollback"),
      @JsonSubTypes.Type(value = Action.TruncateLogs.class, name = "truncate-logs"),
      @JsonSubTypes.Type(value = Action.RenewCertificate.class, name = "renew-certificate"),
      @JsonSubTypes.Type(value = Action.Custom.class, name = "custom")})
  private interface ActionMixin {}

  /** The shared mapper: configured once here, never handed out (a caller could reconfigure it for everyone). */
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .addMixIn(Action.class, ActionMixin.class)
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
      .build();

  private Json() {}

  /** {@code value} as compact JSON. */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /** A new, empty JSON object. */
  public static ObjectNode objectNode() {
    return MAPPER.createObjectNode();
  }

  /** Parses {@code json} into a tree. */
  public static JsonNode tree(String json) throws JsonProcessingException {
    return MAPPER.readTree(json);
  }

  /** Parses {@code json} as {@code type}. */
  public static <T> T read(String json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot read " + type.getSimpleName() + " from JSON: " + e.getOriginalMessage(),
          e);
    }
  }

  /** Converts the tree {@code node} to {@code type}. */
  public static <T> T read(JsonNode node, Class<T> type) {
    try {
      return MAPPER.treeToValue(node, type);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot read " + type.getSimpleName() + " from JSON: " + e.getOriginalMessage(),
          e);
    }
  }

  /** Parses {@code json} as {@code type}, which may be generic (for example a {@code List<GuardrailVerdict>}). */
  public static Object read(String json, java.lang.reflect.Type type) {
    try {
      return MAPPER.readValue(json, MAPPER.getTypeFactory().constructType(type));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot read " + type.getTypeName() + " from JSON: " + e.getOriginalMessage(),
          e);
    }
  }
}

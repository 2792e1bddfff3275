package dev.sreagent.core;

import dev.sreagent.core.internal.Json;

/**
 * JSON for the API model, in the format of the audit log: for exporting incidents, and for emulators and tools that
 * pass model values between processes. Sealed {@code Action}s carry an {@code "@type"} field.
 */
public final class ModelJson {
  private ModelJson() {}

  /** {@code value} as compact JSON. */
  public static String write(Object value) {
    return Json.write(value);
  }

  /** Parses {@code json} as {@code type}. */
  public static <T> T read(String json, Class<T> type) {
    return Json.read(json, type);
  }
}

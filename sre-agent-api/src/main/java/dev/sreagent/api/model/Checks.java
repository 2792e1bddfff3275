package dev.sreagent.api.model;

import java.util.Objects;

/** Validation helpers shared by the model's compact constructors. Messages name the field and the bad value. */
final class Checks {
  private Checks() {}

  static String notBlank(String value, String field) {
    Objects.requireNonNull(value, field);
    if (value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank, but was '" + value + "'");
    }
    return value;
  }

  static double finite(double value, String field) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(field + " must be a finite number, but was " + value);
    }
    return value;
  }

  static double unit(double value, String field) {
    if (!(value >= 0.0 && value <= 1.0)) {
      throw new IllegalArgumentException(field + " must be within [0, 1], but was " + value);
    }
    return value;
  }

  static int atLeast(int value, int min, String field) {
    if (value < min) {
      throw new IllegalArgumentException(field + " must be >= " + min + ", but was " + value);
    }
    return value;
  }
}

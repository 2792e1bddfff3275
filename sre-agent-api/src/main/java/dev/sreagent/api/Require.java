package dev.sreagent.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks for constructors, compact constructors and builder setters, shared by every module and open to
 * plugins. Each method returns the value it checked, so a check can stand in an assignment:
 *
 * <pre>{@code
 * this.window = Require.positive(window, "window");
 * this.maxEdges = Require.atLeast(maxEdges, 1, "maxEdges");
 * }</pre>
 *
 * <p>A failed check throws {@link IllegalArgumentException} whose message names the field and quotes the bad value,
 * always in the same words: {@code "window must be positive, but was PT-1S"}, {@code "score must be within [0, 1],
 * but was 1.5"}, {@code "name must not be blank, but was ' '"} (text in single quotes, so blanks show). A {@code null}
 * where an object is required throws {@link NullPointerException} whose message is the field name, as
 * {@link Objects#requireNonNull(Object, String)} does. {@code NaN} fails every numeric check; bounds that are whole
 * numbers are printed without a fraction ({@code [0, 1]}, not {@code [0.0, 1.0]}).
 *
 * <p>The field name should be the name the caller used: the parameter, the record component or the configuration
 * key. Needs the JDK alone; stateless and thread-safe.
 */
public final class Require {
  private Require() {}

  /**
   * Requires text that is not blank.
   *
   * @param value the text
   * @param field the name of the field, for the message
   * @return {@code value}
   * @throws NullPointerException when {@code value} is {@code null}
   * @throws IllegalArgumentException when {@code value} is empty or whitespace only
   */
  public static String notBlank(String value, String field) {
    Objects.requireNonNull(value, field);
    if (value.isBlank()) {
      throw fail(field, "must not be blank", "'" + value + "'");
    }
    return value;
  }

  /**
   * Requires a finite number: not {@code NaN} and not infinite.
   *
   * @param value the number
   * @param field the name of the field, for the message
   * @return {@code value}
   * @throws IllegalArgumentException when {@code value} is {@code NaN} or infinite
   */
  public static double finite(double value, String field) {
    if (!Double.isFinite(value)) {
      throw fail(field, "must be a finite number", value);
    }
    return value;
  }

  /**
   * Requires a number within [0, 1]: a ratio, a probability or a score.
   *
   * @param value the number
   * @param field the name of the field, for the message
   * @return {@code value}
   * @throws IllegalArgumentException when {@code value} is below 0, above 1 or {@code NaN}
   */
  public static double unit(double value, String field) {
    return within(value, 0, 1, field);
  }

  /**
   * Requires a number above zero.
   *
   * @param value the number
   * @param field the name of the field, for the message
   * @return {@code value}
   * @throws IllegalArgumentException when {@code value} is zero or negative
   */
  public static int positive(int value, String field) {
    if (value <= 0) {
      throw fail(field, "must be positive", value);
    }
    return value;
  }

  /**
   * Requires a number above zero. Positive infinity passes; combine with {@link #finite} to refuse it.
   *
   * @param value the number
   * @param field the name of the field, for the message
   * @return {@code value}
   * @throws IllegalArgumentException when {@code value} is zero, negative or {@code NaN}
   */
  public static double positive(double value, String field) {
    if (!(value > 0)) {
      throw fail(field, "must be positive", value);
    }
    return value;
  }

  /**
   * Requires a duration longer than zero.
   *
   * @param value the duration
   * @param field the name of the field, for the message
   * @return {@code value}
   * @throws NullPointerException when {@code value} is {@code null}
   * @throws IllegalArgumentException when {@code value} is zero or negative
   */
  public static Duration positive(Duration value, String field) {
    Objects.requireNonNull(value, field);
    if (value.isNegative() || value.isZero()) {
      throw fail(field, "must be positive", value);
    }
    return value;
  }

  /**
   * Requires a duration that is zero or longer.
   *
   * @param value the duration
   * @param field the name of the field, for the message
   * @return {@code value}
   * @throws NullPointerException when {@code value} is {@code null}
   * @throws IllegalArgumentException when {@code value} is negative
   */
  public static Duration notNegative(Duration value, String field) {
    Objects.requireNonNull(value, field);
    if (value.isNegative()) {
      throw fail(field, "must not be negative", value);
    }
    return value;
  }

  /**
   * Requires a number of at least {@code min}.
   *
   * @param value the number
   * @param min the smallest allowed value
   * @param field the name of the field, for the message
   * @return {@code value}
   * @throws IllegalArgumentException when {@code value < min}
   */
  public static int atLeast(int value, int min, String field) {
    if (value < min) {
      throw fail(field, "must be >= " + min, value);
    }
    return value;
  }

  /**
   * Requires a number of at least {@code min}.
   *
   * @param value the number
   * @param min the smallest allowed value
   * @param field the name of the field, for the message
   * @return {@code value}
   * @throws IllegalArgumentException when {@code value < min}
   */
  public static long atLeast(long value, long min, String field) {
    if (value < min) {
      throw fail(field, "must be >= " + min, value);
    }
    return value;
  }

  /**
   * Requires a number of at least {@code min}. Positive infinity passes.
   *
   * @param value the number
   * @param min the smallest allowed value
   * @param field the name of the field, for the message
   * @return {@code value}
   * @throws IllegalArgumentException when {@code value < min} or {@code value} is {@code NaN}
   */
  public static double atLeast(double value, double min, String field) {
    if (!(value >= min)) {
      throw fail(field, "must be >= " + bound(min), value);
    }
    return value;
  }

  /**
   * Requires a number above {@code bound}, which is itself refused. Positive infinity passes.
   *
   * @param value the number
   * @param bound the value that {@code value} must exceed
   * @param field the name of the field, for the message
   * @return {@code value}
   * @throws IllegalArgumentException when {@code value <= bound} or {@code value} is {@code NaN}
   */
  public static double greaterThan(double value, double bound, String field) {
    if (!(value > bound)) {
      throw fail(field, "must be > " + bound(bound), value);
    }
    return value;
  }

  /**
   * Requires a number within the closed range [{@code min}, {@code max}].
   *
   * @param value the number
   * @param min the smallest allowed value
   * @param max the largest allowed value
   * @param field the name of the field, for the message
   * @return {@code value}
   * @throws IllegalArgumentException when {@code value < min} or {@code value > max}
   */
  public static int within(int value, int min, int max, String field) {
    if (value < min || value > max) {
      throw fail(field, "must be within [" + min + ", " + max + "]", value);
    }
    return value;
  }

  /**
   * Requires a number within the closed range [{@code min}, {@code max}].
   *
   * @param value the number
   * @param min the smallest allowed value
   * @param max the largest allowed value
   * @param field the name of the field, for the message
   * @return {@code value}
   * @throws IllegalArgumentException when {@code value} is outside the range or {@code NaN}
   */
  public static double within(double value, double min, double max, String field) {
    if (!(value >= min && value <= max)) {
      throw fail(field, "must be within [" + bound(min) + ", " + bound(max) + "]", value);
    }
    return value;
  }

  /**
   * Requires a number within the open range ({@code min}, {@code max}): both ends are refused.
   *
   * @param value the number
   * @param min the value that {@code value} must exceed
   * @param max the value that {@code value} must stay below
   * @param field the name of the field, for the message
   * @return {@code value}
   * @throws IllegalArgumentException when {@code value <= min}, {@code value >= max} or {@code value} is {@code NaN}
   */
  public static double withinOpen(double value, double min, double max, String field) {
    if (!(value > min && value < max)) {
      throw fail(field, "must be within (" + bound(min) + ", " + bound(max) + ")", value);
    }
    return value;
  }

  /**
   * Requires a number within ({@code min}, {@code max}]: above {@code min}, at most {@code max}; a share that must
   * not be zero, say.
   *
   * @param value the number
   * @param min the value that {@code value} must exceed
   * @param max the largest allowed value
   * @param field the name of the field, for the message
   * @return {@code value}
   * @throws IllegalArgumentException when {@code value <= min}, {@code value > max} or {@code value} is {@code NaN}
   */
  public static double withinOpenClosed(double value, double min, double max, String field) {
    if (!(value > min && value <= max)) {
      throw fail(field, "must be within (" + bound(min) + ", " + bound(max) + "]", value);
    }
    return value;
  }

  /**
   * Requires a number within [{@code min}, {@code max}): at least {@code min}, below {@code max}.
   *
   * @param value the number
   * @param min the smallest allowed value
   * @param max the value that {@code value} must stay below
   * @param field the name of the field, for the message
   * @return {@code value}
   * @throws IllegalArgumentException when {@code value < min}, {@code value >= max} or {@code value} is {@code NaN}
   */
  public static double withinClosedOpen(double value, double min, double max, String field) {
    if (!(value >= min && value < max)) {
      throw fail(field, "must be within [" + bound(min) + ", " + bound(max) + ")", value);
    }
    return value;
  }

  private static IllegalArgumentException fail(String field, String requirement, Object value) {
    return new IllegalArgumentException(field + " " + requirement + ", but was " + value);
  }

  /** A bound as people write it: 1 rather than 1.0, 0.1 as 0.1. */
  private static String bound(double b) {
    if (b == Math.rint(b) && Math.abs(b) < 1e15) {
      return Long.toString((long) b);
    }
    return Double.toString(b);
  }
}

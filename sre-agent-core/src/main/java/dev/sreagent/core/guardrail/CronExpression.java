package dev.sreagent.core.guardrail;

import java.time.ZonedDateTime;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A standard five-field cron expression: {@code minute hour day-of-month month day-of-week}. Fields take
 * {@code *}, numbers, lists ({@code 1,15}), ranges ({@code 9-17}), steps ({@code *}{@code /15}, {@code 0-30/10}),
 * and names for months ({@code JAN}) and days ({@code MON}; 0 and 7 are Sunday). As in cron, when both day fields
 * are restricted a day matches if either does.
 */
public final class CronExpression {
  private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
      "OCT", "NOV", "DEC");
  private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

  private final String text;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek;
  private final boolean domRestricted;
  private final boolean dowRestricted;

  private CronExpression(String text) {
    this.text = text;
    String[] f = text.trim().split("\\s+");
    if (f.length != 5) {
      throw new IllegalArgumentException("cron must have 5 fields (minute hour day-of-month month day-of-week), but"
          + " was '" + text + "'");
    }
    minutes = field(f[0], 0, 59, List.of(), "minute");
    hours = field(f[1], 0, 23, List.of(), "hour");
    daysOfMonth = field(f[2], 1, 31, List.of(), "day-of-month");
    months = field(f[3], 1, 12, MONTHS, "month");
    BitSet dow = field(f[4], 0, 7, DAYS, "day-of-week");
    if (dow.get(7)) {
      dow.set(0);
    }
    daysOfWeek = dow;
    domRestricted = !f[2].equals("*");
    dowRestricted = !f[4].equals("*");
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the field and the bad value
   */
  public static CronExpression parse(String text) {
    return new CronExpression(Objects.requireNonNull(text, "text"));
  }

  private static BitSet field(String spec, int min, int max, List<String> names, String field) {
    BitSet bits = new BitSet(max + 1);
    for (String part : spec.split(",")) {
      String range = part;
      int step = 1;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        range = part.substring(0, slash);
        step = number(part.substring(slash + 1), 1, max, List.of(), field, spec);
      }
      int from;
      int to;
      if (range.equals("*")) {
        from = min;
        to = max;
      } else if (range.contains("-")) {
        String[] ends = range.split("-", 2);
        from = number(ends[0], min, max, names, field, spec);
        to = number(ends[1], min, max, names, field, spec);
        if (to < from) {
          throw new IllegalArgumentException(field + " range must run low to high, but was '" + range + "'");
        }
      } else {
        from = number(range, min, max, names, field, spec);
        to = slash >= 0 ? max : from;
      }
      for (int v = from; v <= to; v += step) {
        bits.set(v);
      }
    }
    return bits;
  }

  private static int number(String s, int min, int max, List<String> names, String field, String spec) {
    int idx = names.indexOf(s.toUpperCase(Locale.ROOT));
    if (idx >= 0) {
      return names == MONTHS ? idx + 1 : idx;
    }
    try {
      int v = Integer.parseInt(s);
      if (v < min || v > max) {
        throw new IllegalArgumentException(field + " must be within [" + min + ", " + max + "], but was " + v
            + " in '" + spec + "'");
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(field + " must be a number" + (names.isEmpty() ? "" : " or one of "
          + names) + ", but was '" + s + "' in '" + spec + "'");
    }
  }

  /** Whether the minute of {@code t} matches. */
  public boolean matches(ZonedDateTime t) {
    if (!minutes.get(t.getMinute()) || !hours.get(t.getHour()) || !months.get(t.getMonthValue())) {
      return false;
    }
    boolean dom = daysOfMonth.get(t.getDayOfMonth());
    boolean dow = daysOfWeek.get(t.getDayOfWeek().getValue() % 7);
    if (domRestricted && dowRestricted) {
      return dom || dow;
    }
    return dom && dow;
  }

  @Override
  public String toString() {
    return text;
  }
}

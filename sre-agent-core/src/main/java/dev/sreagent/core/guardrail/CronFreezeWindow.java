package dev.sreagent.core.guardrail;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * A recurring change freeze: it starts at every minute that {@code cron} matches (in {@code zone}) and lasts
 * {@code duration}, for example {@code cron "0 18 * * FRI"}, {@code duration 62h}: from Friday 18:00 to Monday
 * 08:00.
 *
 * @param name quoted in denials
 * @param cron when it starts
 * @param duration how long it lasts, at most 31 days
 * @param zone the time zone of the cron expression
 */
public record CronFreezeWindow(String name, CronExpression cron, Duration duration, ZoneId zone) implements Freeze {
  /** Longest freeze accepted. */
  public static final Duration MAX_DURATION = Duration.ofDays(31);

  public CronFreezeWindow {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(cron, "cron");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(zone, "zone");
    if (duration.compareTo(Duration.ofMinutes(1)) < 0 || duration.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException("duration must be within [1m, 31d], but was " + duration);
    }
  }

  @Override
  public boolean activeAt(Instant t) {
    ZonedDateTime minute = t.atZone(zone).truncatedTo(ChronoUnit.MINUTES);
    long span = duration.toMinutes();
    for (long back = 0; back < span; back++) {
      if (cron.matches(minute.minusMinutes(back))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String describe() {
    return "cron '" + cron + "' (" + zone + ") for " + duration;
  }
}

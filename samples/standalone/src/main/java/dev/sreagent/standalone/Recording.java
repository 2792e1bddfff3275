package dev.sreagent.standalone;

import dev.sreagent.api.port.Clock;
import dev.sreagent.core.SreAgent;
import dev.sreagent.otel.OtlpHttpReceiver;
import dev.sreagent.otel.OtlpRecording;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code sre-agent run --replay FILE}: a recording ({@link OtlpRecording}: OTLP/JSON lines, Alertmanager
 * notifications, long or wide CSV) fed to the agent {@code run} builds — the same configuration, mapping, call graph,
 * phase and audit log — on the recording's own clock, as fast as it goes: the agent's clock and the receiver's are
 * the time of the record being fed, and the agent ticks every {@link #TICK} of recorded time (also through the gaps
 * of 5-minute data, for at most {@link #GAP_TICKED} of a silence) and for {@link #AFTER} after the last record, so
 * incidents open, diagnose and resolve when they would have. The receiver does not listen; every record goes through
 * its code (limits, ages and clock skew judged against the recording's clock). Never beside shared state (a store,
 * locks, an event bus): a replay's records carry recorded times.
 */
final class Recording {
  /** How often the agent ticks, in recorded time. */
  static final long TICK = 15_000_000_000L;
  /** How long the agent keeps ticking after the last record. */
  static final long AFTER = 60_000_000_000L;
  /**
   * How long the agent ticks through a gap between records before it skips to the next one (an hour: longer than any
   * investigation, verification or sustain; a stray record years off does not tick for hours).
   */
  static final long GAP_TICKED = 3_600_000_000_000L;

  private final Path file;
  private final List<OtlpRecording.Item> items;
  private final AtomicLong now;

  private Recording(Path file, List<OtlpRecording.Item> items) {
    this.file = file;
    this.items = items;
    this.now = new AtomicLong(items.get(0).timeNanos());
  }

  /**
   * Reads {@code file}.
   *
   * @throws IOException when it cannot be read (naming the line)
   * @throws IllegalArgumentException when it holds no records
   */
  static Recording read(Path file) throws IOException {
    List<OtlpRecording.Item> items = OtlpRecording.read(file);
    if (items.isEmpty()) {
      throw new IllegalArgumentException(file + " holds no records");
    }
    return new Recording(file, items);
  }

  /** The recording's clock: the time of the record being fed. */
  Clock clock() {
    return () -> Instant.ofEpochSecond(0, now.get());
  }

  /** What is replayed, for the opening line. */
  String describe() {
    return String.format(Locale.ROOT, "replaying %s (%d records, %s to %s) on its own clock", file, items.size(),
        at(items.get(0).timeNanos()), at(items.get(items.size() - 1).timeNanos()));
  }

  /** Feeds every record through {@code receiver} to {@code agent}, ticking on the recorded time; prints a summary. */
  void feed(OtlpHttpReceiver receiver, SreAgent agent, PrintStream out) {
    long refused = 0;
    long nextTick = now.get();
    long wall = System.nanoTime();
    long last = now.get();
    for (OtlpRecording.Item item : items) {
      long t = Math.max(now.get(), item.timeNanos());
      while (nextTick < t) { // the recorded time between records: incidents move on through the gaps
        if (nextTick - last > GAP_TICKED) {
          nextTick = t; // a long silence: skip to the next record
          break;
        }
        now.set(nextTick);
        agent.tick();
        nextTick += TICK;
      }
      last = t;
      now.set(t);
      if (receiver.receive(item.endpoint(), "application/json", item.bytes()).status() != 200) {
        refused++;
      }
    }
    for (long end = now.get() + AFTER; nextTick <= end; nextTick += TICK) {
      now.set(Math.max(now.get(), nextTick));
      agent.tick();
    }
    long first = items.get(0).timeNanos();
    out.printf(Locale.ROOT, "sre-agent run: replayed %d records (%d refused) covering %.0f s of recorded time in"
        + " %.1f s; receiver counters %s%n", items.size(), refused, (now.get() - first) / 1e9,
        (System.nanoTime() - wall) / 1e9, receiver.counters());
  }

  private static Instant at(long nanos) {
    return Instant.ofEpochSecond(0, nanos);
  }
}

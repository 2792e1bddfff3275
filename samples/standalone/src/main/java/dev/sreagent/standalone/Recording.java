package dev.sreagent.standalone;

import dev.sreagent.api.port.Clock;
import dev.sreagent.core.SreAgent;
import dev.sreagent.otel.OtlpHttpReceiver;
import dev.sreagent.otel.OtlpRecording;
import dev.sreagent.otel.RecordingStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code sre-agent run --replay FILE}: a recording ({@link OtlpRecording}: OTLP/JSON lines, Alertmanager
 * notifications, long or wide CSV) fed to the agent {@code run} builds — the same configuration, mapping, call graph,
 * phase and audit log — on the recording's own clock, as fast as it goes: the agent's clock and the receiver's are
 * the time of the record being fed, and the agent ticks every {@link #TICK} of recorded time (also through the gaps
 * of 5-minute data, for at most {@link #GAP_TICKED} of a silence) and for {@link #AFTER} after the last record, so
 * incidents open, diagnose and resolve when they would have. The receiver does not listen; every record goes through
 * its code (limits, ages and clock skew judged against the recording's clock). The recording is read as it goes
 * ({@link RecordingStream}: a file of any size, in time order within a bounded reorder buffer; a record further out of
 * order is fed when it comes, without turning the clock back, and counted in the summary). Never beside shared state (a store,
 * locks, an event bus): a replay's records carry recorded times.
 */
final class Recording implements AutoCloseable {
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
  private final RecordingStream stream;
  private final OtlpRecording.Item first;
  private final AtomicLong now;

  private Recording(Path file, RecordingStream stream, OtlpRecording.Item first) {
    this.file = file;
    this.stream = stream;
    this.first = first;
    this.now = new AtomicLong(first.timeNanos());
  }

  /**
   * Opens {@code file} and reads up to its first record (as far as the reorder buffer reads ahead).
   *
   * @throws IOException when it cannot be read (naming the line)
   * @throws IllegalArgumentException when it holds no records
   */
  static Recording open(Path file) throws IOException {
    RecordingStream stream = OtlpRecording.open(file);
    try {
      OtlpRecording.Item first = stream.next();
      if (first == null) {
        throw new IllegalArgumentException(file + " holds no records");
      }
      return new Recording(file, stream, first);
    } catch (IOException | RuntimeException e) {
      stream.close();
      throw e;
    }
  }

  /** The recording's clock: the time of the record being fed. */
  Clock clock() {
    return () -> Instant.ofEpochSecond(0, now.get());
  }

  /** What is replayed, for the opening line (the count and the span are known at the end: it is read as it goes). */
  String describe() {
    return String.format(Locale.ROOT, "replaying %s from %s on its own clock (read as it goes, in time order within"
        + " a reorder buffer of %s)", file, at(first.timeNanos()), stream.bounds());
  }

  /**
   * Feeds every record through {@code receiver} to {@code agent}, ticking on the recorded time; prints a summary.
   * Closes the recording.
   *
   * @throws IOException naming the line when a later line cannot be read (the records delivered before it were fed)
   */
  void feed(OtlpHttpReceiver receiver, SreAgent agent, PrintStream out) throws IOException {
    feed(receiver, agent, out, Long.MAX_VALUE, () -> { });
  }

  /**
   * As {@link #feed(OtlpHttpReceiver, SreAgent, PrintStream)}, running {@code ask} once: before the first record
   * later than {@code askAfter} (Unix nanoseconds) is fed, or at the end when none is.
   */
  void feed(OtlpHttpReceiver receiver, SreAgent agent, PrintStream out, long askAfter, Runnable ask)
      throws IOException {
    boolean asked = false;
    long refused = 0;
    long nextTick = now.get();
    long wall = System.nanoTime();
    long last = now.get();
    try (stream) {
      for (OtlpRecording.Item item = first; item != null; item = stream.next()) {
        if (!asked && item.timeNanos() > askAfter) {
          asked = true;
          ask.run();
        }
        long t = Math.max(now.get(), item.timeNanos()); // a late record does not turn the clock back
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
    }
    for (long end = now.get() + AFTER; nextTick <= end; nextTick += TICK) {
      now.set(Math.max(now.get(), nextTick));
      agent.tick();
    }
    if (!asked) {
      ask.run();
    }
    out.printf(Locale.ROOT, "sre-agent run: replayed %d records (%d refused) covering %.0f s of recorded time in"
        + " %.1f s (%s to %s); %s; receiver counters %s%n", stream.delivered(), refused,
        (now.get() - first.timeNanos()) / 1e9, (System.nanoTime() - wall) / 1e9, at(first.timeNanos()),
        at(stream.latestTime()), stream.late() == 0 ? "none out of order beyond the reorder buffer"
            : stream.late() + " out of order beyond the reorder buffer, fed as they came (the first: "
            + stream.firstLate() + ")", receiver.counters());
  }

  /** How many records were fed so far. */
  long fed() {
    return stream.delivered();
  }

  /** Closes the recording's file (when it is not fed). */
  @Override
  public void close() {
    try {
      stream.close();
    } catch (IOException e) {
      // read only: nothing was lost
    }
  }

  private static Instant at(long nanos) {
    return Instant.ofEpochSecond(0, nanos);
  }
}

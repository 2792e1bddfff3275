package dev.sreagent.otel;

import dev.sreagent.otel.OtlpRecording.Item;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.PriorityQueue;
import org.jspecify.annotations.Nullable;

/**
 * A recording ({@link OtlpRecording}) read lazily, line by line, so that a file of any size replays in bounded
 * memory; open one with {@link OtlpRecording#open(java.nio.file.Path)}.
 *
 * <p><b>Order.</b> The items read are held in a reorder buffer and delivered earliest first (in file order for equal
 * times). An item is delivered once the buffer holds more than its {@code capacity} items, or once an item read after
 * it is more than {@code horizon} of recorded time later, or at the end of the file. So items out of order by less
 * than the horizon and fewer than the capacity places (as the Collector's exporters interleave their batches) come out
 * in time order, and the reader holds at most {@code capacity} items, plus the rest of the line last read (a wide
 * CSV row is one item per service) ({@link #maxBuffered()}); {@link #DEFAULT_CAPACITY} items and
 * {@link #DEFAULT_HORIZON} by default.
 *
 * <p><b>Late items.</b> An item read after an item of a later time was already delivered (further out of order than
 * the buffer allows) is not dropped: it is delivered as soon as the buffer lets one go, ahead of the rest (so in
 * the order it was read among the late ones), and counted ({@link #late()}, the first one described by
 * {@link #firstLate()}). Its consumer sees its time go back; {@code run --replay} and {@code bench replay} keep their
 * clock where it is and let the receiver judge the item's age, as it judges a late live request.
 *
 * <p>Every unreadable line is an {@link IOException} naming the file and line, thrown by the {@link #next()} that
 * reaches it. Not thread-safe.
 */
public final class RecordingStream implements Closeable {
  /** The default capacity of the reorder buffer, in items. */
  public static final int DEFAULT_CAPACITY = 10_000;
  /** The default horizon of the reorder buffer, in recorded time. */
  public static final Duration DEFAULT_HORIZON = Duration.ofMinutes(5);

  /** An item with its place in the file, earliest first, then in file order. */
  private record Entry(Item item, long seq, String where) implements Comparable<Entry> {
    @Override
    public int compareTo(Entry o) {
      int c = Long.compare(item.timeNanos(), o.item.timeNanos());
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final RecordingLines lines;
  private final int capacity;
  private final long horizon;
  private final PriorityQueue<Entry> buffer = new PriorityQueue<>();
  private boolean eof;
  private long seq;
  private long latestRead = Long.MIN_VALUE;
  private long latestDelivered = Long.MIN_VALUE;
  private long firstDelivered;
  private long delivered;
  private long late;
  private int maxBuffered;
  private @Nullable String firstLate;

  RecordingStream(RecordingLines lines, int capacity, Duration horizon) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1 item, but was " + capacity);
    }
    if (horizon.isNegative()) {
      throw new IllegalArgumentException("horizon must not be negative, but was " + horizon);
    }
    this.lines = lines;
    this.capacity = capacity;
    this.horizon = saturated(horizon);
  }

  private static long saturated(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * The next item in time order (within the buffer's bounds), or null at the end of the recording.
   *
   * @throws IOException naming the file and line of a line that cannot be read
   */
  public @Nullable Item next() throws IOException {
    while (!eof && !due()) {
      List<Item> read = lines.next();
      if (read == null) {
        eof = true;
        break;
      }
      for (Item item : read) {
        buffer.add(new Entry(item, seq++, lines.where()));
        latestRead = Math.max(latestRead, item.timeNanos());
      }
      maxBuffered = Math.max(maxBuffered, buffer.size());
    }
    Entry e = buffer.poll();
    if (e == null) {
      return null;
    }
    long t = e.item().timeNanos();
    if (delivered == 0) {
      firstDelivered = t;
    }
    if (t < latestDelivered) {
      late++;
      if (firstLate == null) {
        firstLate = e.where() + " at " + Instant.ofEpochSecond(0, t) + ", after " + Instant.ofEpochSecond(0,
            latestDelivered) + " was delivered";
      }
    }
    latestDelivered = Math.max(latestDelivered, t);
    delivered++;
    return e.item();
  }

  /** Whether the earliest buffered item may go: the buffer is full or has read past its horizon. */
  private boolean due() {
    Entry head = buffer.peek();
    return head != null && (buffer.size() >= capacity || latestRead - head.item().timeNanos() > horizon);
  }

  /** How many items were delivered so far. */
  public long delivered() {
    return delivered;
  }

  /** The time of the first item delivered (Unix nanoseconds), or 0 before any. */
  public long firstTime() {
    return delivered == 0 ? 0 : firstDelivered;
  }

  /** The latest time of the items delivered so far (Unix nanoseconds), or {@code Long.MIN_VALUE} before any. */
  public long latestTime() {
    return latestDelivered;
  }

  /** How many items were delivered late: after an item of a later time (see the class comment). */
  public long late() {
    return late;
  }

  /** The first late item's place and time, or null when none was late so far. */
  public @Nullable String firstLate() {
    return firstLate;
  }

  /**
   * The largest number of items the reorder buffer held at once: at most its capacity plus the items of one line
   * but one.
   */
  public int maxBuffered() {
    return maxBuffered;
  }

  /** The buffer's bounds, for a summary: {@code "10000 items, 5 min"}. */
  public String bounds() {
    return capacity + " items, " + (horizon == Long.MAX_VALUE ? "no horizon"
        : horizon % 60_000_000_000L == 0 ? horizon / 60_000_000_000L + " min" : horizon / 1e9 + " s");
  }

  @Override
  public void close() throws IOException {
    lines.close();
  }
}

package dev.sreagent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.port.Clock;
import dev.sreagent.core.SreAgent;
import dev.sreagent.otel.OtlpHttpReceiver;
import dev.sreagent.otel.OtlpRecording;
import dev.sreagent.otel.OtlpRecording.Item;
import dev.sreagent.otel.RecordingStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * {@code replay}: feeds a recorded telemetry stream into the agent at N times its recorded speed.
 * <ul>
 *   <li><b>Input</b>: an {@link OtlpRecording}: OTLP/JSON lines, as the OpenTelemetry Collector's {@code file}
 *       exporter writes them, Alertmanager notifications, long CSV ({@code timestamp,service,metric,value}) or the
 *       datasets' wide CSV ({@code timestamp,<service>.<metric>,...}).
 *   <li><b>In-process</b> (default): an agent on embedded defaults in OBSERVE whose clock is the stream's clock
 *       (stream time = first record time + elapsed wall time x speed). Records go through the same OTLP receiver
 *       code as live telemetry. Incident events are printed as {@code run} prints them.
 *   <li><b>{@code --target URL}</b>: POSTs to a running agent's OTLP/HTTP endpoint instead; the recording is shifted
 *       so that it ends at the moment the replay starts (the remote agent's age and clock-skew checks accept it when
 *       the recording is shorter than its maximum sample age, 1 h by default).
 * </ul>
 * {@code --speed 0} replays as fast as possible; at {@code --speed N} a silence of more than an hour of stream time is
 * not waited for. The recording is read as it goes ({@link RecordingStream}: in bounded memory, in time order within
 * its reorder buffer; a record further out of order is fed when it comes, counted); {@code --target} reads it twice,
 * first for its last time. Prints records, points per second, incidents and late records at the end.
 */
final class ReplayRun {
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * The longest gap between two records that is waited for at {@code --speed N}: a longer silence (a stray record
   * years off, seconds read for milliseconds) is skipped to its next record, as {@code run --replay} does.
   */
  static final long GAP = Duration.ofHours(1).toNanos();

  private ReplayRun() {}

  static int run(Path input, double speed, @Nullable String target, PrintStream out, PrintStream err)
      throws IOException {
    return run(input, speed, target, null, out, err);
  }

  /**
   * As above; in-process, the agent configured by {@code config} as {@code ./sre-agent run --config} would configure
   * it (its metric mapping, call graph and detectors' keys).
   */
  static int run(Path input, double speed, @Nullable String target, @Nullable RunConfigFile config, PrintStream out,
      PrintStream err) throws IOException {
    try (RecordingStream stream = OtlpRecording.open(input)) {
      Item first = stream.next();
      if (first == null) {
        err.println("replay: " + input + " holds no records");
        return 2;
      }
      // --target shifts the recording to end now: its last time is known from a first pass, read as the replay reads
      return run(stream, first, target == null ? 0 : System.currentTimeMillis() * 1_000_000L - lastTime(input), speed,
          target, config, out);
    }
  }

  /** The latest time in the recording (a pass through it in bounded memory). */
  private static long lastTime(Path input) throws IOException {
    long last = Long.MIN_VALUE;
    try (RecordingStream stream = OtlpRecording.open(input)) {
      for (Item item = stream.next(); item != null; item = stream.next()) {
        last = Math.max(last, item.timeNanos());
      }
    }
    return last;
  }

  private static int run(RecordingStream stream, Item first, long shift, double speed, @Nullable String target,
      @Nullable RunConfigFile config, PrintStream out) throws IOException {
    long t0 = first.timeNanos();
    long wall0 = System.nanoTime();
    AtomicLong streamNow = new AtomicLong(t0);
    Clock clock = () -> Instant.ofEpochSecond(0, streamNow.get());
    List<IncidentEvent> events = new ArrayList<>();
    OtlpHttpReceiver receiver = null;
    SreAgent agent = null;
    HttpClient http = null;
    if (target == null) {
      receiver = OtlpHttpReceiver.builder().setListen(false).setClock(clock).build();
      dev.sreagent.core.SreAgentBuilder b = SreAgent.builder().setClock(clock).setDiscovery(false)
          .setDefaultPhase(Phase.OBSERVE);
      if (config != null) {
        b.setConfig(config.detect());
        if (config.graph() != null) {
          b.setTopologyProvider(config.graph());
        }
        if (!config.unused().isEmpty()) {
          out.println("replay: --config: not used by a replay (no listener, store or cluster): "
              + String.join(", ", config.unused()));
        }
      }
      agent = b.addTelemetrySource(config == null ? receiver : config.mapping().wrap(receiver))
          .setAuditFile(Files.createTempDirectory("replay").resolve("audit.jsonl"))
          .addNotifier(e -> {
            events.add(e);
            out.println(String.format(Locale.ROOT, "%s %s %-10s %s %s %s: %s", e.at(), e.incident().id(),
                e.kind().name().toLowerCase(Locale.ROOT), e.incident().type(), e.incident().severity(),
                e.incident().rootService(), e.message()));
          }).build();
      agent.start();
    } else {
      http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }
    long points = 0;
    long refused = 0;
    long silences = 0; // stream time past GAP in the gaps between records, not waited for
    long previous = t0;
    try {
      for (Item item = first; item != null; item = stream.next()) {
        silences += Math.max(0, item.timeNanos() - previous - GAP);
        previous = Math.max(previous, item.timeNanos()); // a late record neither waits nor opens a gap
        if (speed > 0) {
          long due = wall0 + (long) ((item.timeNanos() - t0 - silences) / speed);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            sleep(wait);
          }
        }
        streamNow.set(Math.max(streamNow.get(), item.timeNanos()));
        byte[] body = (shift == 0 ? item.body() : OtlpRecording.shifted(item.body(), shift)).toString()
            .getBytes(StandardCharsets.UTF_8);
        int status;
        if (receiver != null) {
          status = receiver.receive(item.endpoint(), "application/json", body).status();
          agent.tick();
        } else {
          status = post(http, target + item.endpoint().path, body);
        }
        points++;
        if (status != 200) {
          refused++;
        }
      }
    } catch (IOException e) {
      if (agent != null) {
        agent.close();
      }
      throw new IOException(e.getMessage() + " (" + points + " records were fed; the replay stops there)", e);
    }
    long tEnd = stream.latestTime();
    double seconds = (System.nanoTime() - wall0) / 1e9;
    if (agent != null) {
      for (int k = 0; k < 12; k++) { // let incidents move on once the stream ends: one minute of stream time
        streamNow.addAndGet(Duration.ofSeconds(5).toNanos());
        agent.tick();
      }
      agent.close();
    }
    out.printf(Locale.ROOT, "replay: %d records (%d refused) covering %.0f s of stream in %.2f s of wall time (%.0fx),"
        + " %.0f records/s%s%n", points, refused, (tEnd - t0) / 1e9, seconds, (tEnd - t0) / 1e9 / seconds,
        points / seconds, receiver == null ? " to " + target
            : ", " + events.stream().filter(e -> e.kind() == IncidentEvent.Kind.OPENED).count() + " incidents opened");
    out.println("replay: read as it went, in time order within a reorder buffer of " + stream.bounds() + "; "
        + (stream.late() == 0 ? "none" : stream.late()) + " out of order beyond it" + (stream.late() == 0 ? ""
        : ", fed as they came (the first: " + stream.firstLate() + ")"));
    if (receiver != null) {
      out.println("receiver counters " + receiver.counters());
    }
    return 0;
  }

  private static void sleep(long nanos) {
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int post(HttpClient http, String url, byte[] body) throws IOException {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}

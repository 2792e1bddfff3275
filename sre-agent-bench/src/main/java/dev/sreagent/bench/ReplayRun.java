package dev.sreagent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.port.Clock;
import dev.sreagent.core.SreAgent;
import dev.sreagent.otel.OtlpHttpReceiver;
import dev.sreagent.otel.OtlpHttpReceiver.Endpoint;
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
 *   <li><b>Input</b>: OTLP/JSON lines, as the OpenTelemetry Collector's {@code file} exporter writes them (one
 *       {@code {"resourceMetrics": ...}}, {@code {"resourceSpans": ...}} or {@code {"resourceLogs": ...}} request per
 *       line), or CSV with the header {@code timestamp,service,metric,value} (ISO-8601 or epoch seconds /
 *       milliseconds; more columns become attributes).
 *   <li><b>In-process</b> (default): an agent on embedded defaults in OBSERVE whose clock is the stream's clock
 *       (stream time = first record time + elapsed wall time x speed). Records go through the same OTLP receiver
 *       code as live telemetry. Incident events are printed as {@code run} prints them.
 *   <li><b>{@code --target URL}</b>: POSTs to a running agent's OTLP/HTTP endpoint instead; the recording is shifted
 *       so that it ends at the moment the replay starts (the remote agent's age and clock-skew checks accept it when
 *       the recording is shorter than its maximum sample age, 1 h by default).
 * </ul>
 * {@code --speed 0} replays as fast as possible. Prints records, points per second and incidents at the end.
 */
final class ReplayRun {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One record of the stream: when, which endpoint, the OTLP/JSON body. */
  record Item(long timeNanos, Endpoint endpoint, JsonNode body) {}

  private ReplayRun() {}

  static int run(Path input, double speed, @Nullable String target, PrintStream out, PrintStream err)
      throws IOException {
    List<Item> items = read(input);
    if (items.isEmpty()) {
      err.println("replay: " + input + " holds no records");
      return 2;
    }
    long t0 = items.get(0).timeNanos();
    long tEnd = items.get(items.size() - 1).timeNanos();
    long wall0 = System.nanoTime();
    AtomicLong streamNow = new AtomicLong(t0);
    Clock clock = () -> Instant.ofEpochSecond(0, streamNow.get());
    List<IncidentEvent> events = new ArrayList<>();
    OtlpHttpReceiver receiver = null;
    SreAgent agent = null;
    HttpClient http = null;
    long shift = 0;
    if (target == null) {
      receiver = OtlpHttpReceiver.builder().setListen(false).setClock(clock).build();
      agent = SreAgent.builder().setClock(clock).setDiscovery(false).setDefaultPhase(Phase.OBSERVE)
          .addTelemetrySource(receiver).setAuditFile(Files.createTempDirectory("replay").resolve("audit.jsonl"))
          .addNotifier(e -> {
            events.add(e);
            out.println(String.format(Locale.ROOT, "%s %s %-10s %s %s %s: %s", e.at(), e.incident().id(),
                e.kind().name().toLowerCase(Locale.ROOT), e.incident().type(), e.incident().severity(),
                e.incident().rootService(), e.message()));
          }).build();
      agent.start();
    } else {
      http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      shift = System.currentTimeMillis() * 1_000_000L - tEnd;
    }
    long points = 0;
    long refused = 0;
    for (Item item : items) {
      if (speed > 0) {
        long due = wall0 + (long) ((item.timeNanos() - t0) / speed);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          sleep(wait);
        }
      }
      streamNow.set(Math.max(streamNow.get(), item.timeNanos()));
      byte[] body = (shift == 0 ? item.body() : shifted(item.body(), shift)).toString()
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

  /** Reads the whole stream, ordered by time (stable). */
  static List<Item> read(Path input) throws IOException {
    List<Item> items = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
      String first = r.readLine();
      if (first == null) {
        return items;
      }
      if (first.strip().startsWith("{")) {
        int line = 1;
        for (String l = first; l != null; l = r.readLine(), line++) {
          if (!l.isBlank()) {
            items.add(otlpLine(l, input + ":" + line));
          }
        }
      } else {
        List<String> header = List.of(first.strip().split(","));
        if (header.size() < 4 || !header.subList(0, 4).equals(List.of("timestamp", "service", "metric", "value"))) {
          throw new IOException(input + ":1: a CSV replay needs the header timestamp,service,metric,value[,attr...];"
              + " got '" + first + "' (or give OTLP/JSON lines)");
        }
        int line = 2;
        for (String l = r.readLine(); l != null; l = r.readLine(), line++) {
          if (!l.isBlank()) {
            items.add(csvLine(header, l, input + ":" + line));
          }
        }
      }
    }
    items.sort(java.util.Comparator.comparingLong(Item::timeNanos));
    return items;
  }

  private static Item otlpLine(String line, String where) throws IOException {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (IOException e) {
      throw new IOException(where + ": not a JSON line: " + e.getMessage(), e);
    }
    Endpoint endpoint = node.has("resourceMetrics") ? Endpoint.METRICS : node.has("resourceSpans") ? Endpoint.TRACES
        : node.has("resourceLogs") ? Endpoint.LOGS : null;
    if (endpoint == null) {
      throw new IOException(where + ": expected an OTLP/JSON request with resourceMetrics, resourceSpans or"
          + " resourceLogs");
    }
    long max = 0;
    for (String key : List.of("timeUnixNano", "startTimeUnixNano", "observedTimeUnixNano")) {
      for (JsonNode t : node.findValues(key)) {
        max = Math.max(max, t.asLong());
      }
    }
    if (max == 0) {
      throw new IOException(where + ": the request carries no timeUnixNano to pace the replay by");
    }
    return new Item(max, endpoint, node);
  }

  private static Item csvLine(List<String> header, String line, String where) throws IOException {
    String[] cells = line.split(",", -1);
    if (cells.length != header.size()) {
      throw new IOException(where + ": expected " + header.size() + " columns, got " + cells.length);
    }
    long nanos = timestamp(cells[0].strip(), where);
    double value;
    try {
      value = Double.parseDouble(cells[3].strip());
    } catch (NumberFormatException e) {
      throw new IOException(where + ": value '" + cells[3] + "' is not a number");
    }
    var root = JSON.createObjectNode();
    var resource = root.putArray("resourceMetrics").addObject();
    resource.putObject("resource").putArray("attributes").add(attribute("service.name", cells[1].strip()));
    var metric = resource.putArray("scopeMetrics").addObject().putArray("metrics").addObject();
    metric.put("name", cells[2].strip());
    var point = metric.putObject("gauge").putArray("dataPoints").addObject();
    point.put("asDouble", value);
    point.put("timeUnixNano", Long.toString(nanos));
    var attrs = point.putArray("attributes");
    for (int i = 4; i < header.size(); i++) {
      if (!cells[i].isBlank()) {
        attrs.add(attribute(header.get(i).strip(), cells[i].strip()));
      }
    }
    return new Item(nanos, Endpoint.METRICS, root);
  }

  private static JsonNode attribute(String key, String value) {
    var kv = JSON.createObjectNode();
    kv.put("key", key);
    kv.putObject("value").put("stringValue", value);
    return kv;
  }

  static long timestamp(String text, String where) throws IOException {
    try {
      if (text.matches("\\d+(\\.\\d+)?")) {
        double v = Double.parseDouble(text);
        return v > 1e12 ? (long) (v * 1_000_000L) : (long) (v * 1e9); // milliseconds or seconds
      }
      Instant t = text.length() <= 19 ? java.time.LocalDateTime.parse(text.replace(' ', 'T'))
          .toInstant(java.time.ZoneOffset.UTC) : Instant.parse(text.replace(' ', 'T'));
      return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    } catch (DateTimeParseException e) {
      throw new IOException(where + ": unreadable timestamp '" + text + "' (ISO-8601 or epoch seconds/ms)");
    }
  }

  /** A copy of the request with every timestamp moved by {@code shift} nanoseconds. */
  private static JsonNode shifted(JsonNode body, long shift) {
    JsonNode copy = body.deepCopy();
    shift(copy, shift);
    return copy;
  }

  private static void shift(JsonNode node, long shift) {
    if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
      List<String> keys = new ArrayList<>();
      o.properties().forEach(e -> keys.add(e.getKey()));
      for (String k : keys) {
        JsonNode v = o.get(k);
        if (k.endsWith("UnixNano") && v.asLong() != 0) {
          o.put(k, Long.toString(v.asLong() + shift));
        } else {
          shift(v, shift);
        }
      }
    } else if (node.isArray()) {
      node.forEach(n -> shift(n, shift));
    }
  }
}

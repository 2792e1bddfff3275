package dev.sreagent.api.port;

/** Produces telemetry: an OTLP receiver, a Prometheus poller, a simulated cluster. */
public interface TelemetrySource extends AutoCloseable {
  /** A short name for logs and errors. */
  String name();

  /** Starts pushing signals into {@code sink}. Called once by the agent. */
  void start(TelemetrySink sink);

  /** Stops producing; releases threads and sockets. */
  @Override
  default void close() {}

  /** A source that produces nothing. */
  static TelemetrySource noop() {
    return new TelemetrySource() {
      @Override
      public String name() {
        return "noop";
      }

      @Override
      public void start(TelemetrySink sink) {}
    };
  }
}

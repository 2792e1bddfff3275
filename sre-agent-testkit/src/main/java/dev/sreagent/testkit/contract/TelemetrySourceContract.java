package dev.sreagent.testkit.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sreagent.api.model.Signal;
import dev.sreagent.api.port.TelemetrySource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TelemetrySource} promises: once started it pushes what it produces into the sink; a sink that
 * refuses (the agent's inbox is full) never breaks it; after {@code close()} it pushes nothing; {@code close()} may
 * be called twice.
 */
public abstract class TelemetrySourceContract {
  /** A fresh source, not started. */
  protected abstract TelemetrySource create();

  /**
   * Makes {@code source} produce telemetry now (send an OTLP request to it, let its poller run, advance its
   * simulation) and returns once what it produced has reached the sink or been refused.
   */
  protected abstract void produce(TelemetrySource source) throws Exception;

  @Test
  void aStartedSourcePushesIntoTheSink() throws Exception {
    List<Signal> got = new CopyOnWriteArrayList<>();
    try (TelemetrySource source = create()) {
      assertFalse(source.name().isBlank(), "a source has a name for logs");
      source.start(s -> got.add(s));
      produce(source);
      assertFalse(got.isEmpty(), source.name() + " pushed nothing");
    }
  }

  @Test
  void aRefusingSinkDoesNotBreakTheSource() throws Exception {
    List<Signal> offered = new CopyOnWriteArrayList<>();
    try (TelemetrySource source = create()) {
      source.start(s -> {
        offered.add(s);
        return false;
      });
      produce(source);
      produce(source);
      assertTrue(offered.size() > 0, "the source kept offering");
    }
  }

  @Test
  void aClosedSourcePushesNothingAndClosesTwice() throws Exception {
    List<Signal> got = new CopyOnWriteArrayList<>();
    TelemetrySource source = create();
    source.start(s -> got.add(s));
    source.close();
    int before = got.size();
    try {
      produce(source);
    } catch (Exception e) {
      // a closed source may refuse to produce at all
    }
    assertEquals(before, got.size(), "pushed after close");
    source.close();
  }
}

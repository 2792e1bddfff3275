package dev.sreagent.core.spi;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Confidence;
import dev.sreagent.api.model.Diagnosis;
import dev.sreagent.api.model.Hypothesis;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.Notifier;
import dev.sreagent.api.port.Reasoner;
import dev.sreagent.api.port.TelemetrySink;
import dev.sreagent.api.port.TelemetrySource;
import dev.sreagent.api.spi.ActionExecutorProvider;
import dev.sreagent.api.spi.NotifierProvider;
import dev.sreagent.api.spi.ReasonerProvider;
import dev.sreagent.api.spi.TelemetrySourceProvider;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Providers registered in this module's test META-INF/services, to test discovery. */
public final class TestProviders {
  /** Events seen by the discovered notifier. */
  public static final List<IncidentEvent> EVENTS = new CopyOnWriteArrayList<>();

  private TestProviders() {}

  /** Discovered notifier that records events. */
  public static final class RecordingNotifierProvider implements NotifierProvider {
    @Override
    public String name() {
      return "recording";
    }

    @Override
    public Notifier create(ConfigView config) {
      return EVENTS::add;
    }
  }

  /** A reasoner provider picked only when named, and that validates its configuration. */
  public static final class PickyReasonerProvider implements ReasonerProvider {
    @Override
    public String name() {
      return "picky";
    }

    @Override
    public int order() {
      return 100;
    }

    @Override
    public Reasoner create(ConfigView config) {
      String mode = config.get("picky.mode", "strict");
      if (!mode.equals("strict")) {
        throw new ConfigurationException("picky.mode must be 'strict', but was '" + mode + "'");
      }
      return (incident, knowledge) -> new Diagnosis(List.of(new Hypothesis("picky", 0.5, "", List.of())),
          new Confidence(0.5, Map.of(), "picky"), "picky");
    }
  }

  /** Telemetry sources created by {@link NamedSourceProvider}, with the sink they were started with. */
  public static final List<String> SOURCES_STARTED = new CopyOnWriteArrayList<>();

  /** A telemetry source provider: started only when {@code sre-agent.telemetry-sources} names it. */
  public static final class NamedSourceProvider implements TelemetrySourceProvider {
    @Override
    public String name() {
      return "test-source";
    }

    @Override
    public TelemetrySource create(ConfigView config) {
      String label = config.get("test-source.label", "default");
      return new TelemetrySource() {
        @Override
        public String name() {
          return "test-source-" + label;
        }

        @Override
        public void start(TelemetrySink sink) {
          SOURCES_STARTED.add(name());
        }

        @Override
        public void close() {}
      };
    }
  }

  /** Executors created by {@link NamedExecutorProvider}, by the label configuration gave. */
  public static final List<String> EXECUTORS_CREATED = new CopyOnWriteArrayList<>();

  /** An executor provider used only when {@code sre-agent.executors} names it. */
  public static final class NamedExecutorProvider implements ActionExecutorProvider {
    @Override
    public String name() {
      return "test-executor";
    }

    @Override
    public boolean onlyWhenNamed() {
      return true;
    }

    @Override
    public ActionExecutor create(ConfigView config) {
      EXECUTORS_CREATED.add(config.get("test-executor.label", "default"));
      return ActionExecutor.noop();
    }
  }
}

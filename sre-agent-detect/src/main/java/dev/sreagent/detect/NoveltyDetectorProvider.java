package dev.sreagent.detect;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.port.Detector;
import dev.sreagent.api.spi.DetectorProvider;
import dev.sreagent.detect.StreamingAnomalyScorer.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Discovered with the agent's other providers: a {@link MetricNoveltyDetector} for the custom metrics the
 * configuration names, nothing (a detector that never fires) when it names none.
 *
 * <pre>
 * novelty.metrics = app.queue.depth, jobs.lag   # required: exact metric names, comma-separated
 * novelty.warm-up = 5760                        # values per series before it reports (default: a day at 15 s)
 * novelty.period = 5760                         # the season in values
 * novelty.threshold = 0.1                       # lowest score reported, (0, 1]
 * novelty.reasons = new-level, extreme-value, unusual-stay, unusual-sequence
 * novelty.hold = 30m                            # quiet time that ends an episode (ms, s, m, h, d)
 * novelty.max-series = 1000
 * novelty.type = metric-novelty                 # incident type of the anomalies
 * </pre>
 *
 * Every bad value is reported at once, each with its key and the fix.
 */
public final class NoveltyDetectorProvider implements DetectorProvider {

  @Override
  public String name() {
    return "novelty";
  }

  @Override
  public Detector create(ConfigView config) {
    List<String> metrics = Arrays.stream(config.get("novelty.metrics", "").split(",")).map(String::strip)
        .filter(m -> !m.isEmpty()).toList();
    if (metrics.isEmpty()) {
      return Detector.noop();
    }
    MetricNoveltyDetector.Builder b = MetricNoveltyDetector.builder(metrics.get(0),
        metrics.subList(1, metrics.size()).toArray(String[]::new));
    List<String> problems = new ArrayList<>();
    apply(config, "novelty.warm-up", NoveltyDetectorProvider::wholeNumber, b::setWarmUp, "a whole number of values such as 5760",
        problems);
    apply(config, "novelty.period", NoveltyDetectorProvider::wholeNumber, b::setPeriod, "a whole number of values such as 5760",
        problems);
    apply(config, "novelty.max-series", NoveltyDetectorProvider::wholeNumber, b::setMaxSeries, "a whole number such as 1000", problems);
    apply(config, "novelty.threshold", Double::parseDouble, b::setThreshold, "a number in (0, 1] such as 0.1",
        problems);
    apply(config, "novelty.hold", v -> ConfigView.parseDuration("novelty.hold", v), b::setHold,
        "a duration such as 30m or 1h", problems);
    apply(config, "novelty.reasons", NoveltyDetectorProvider::reasons, b::setReasons,
        "some of new-level, extreme-value, unusual-stay, unusual-sequence", problems);
    apply(config, "novelty.type", IncidentType::of, b::setType, "an incident type such as metric-novelty",
        problems);
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    return b.build();
  }

  private static <T> void apply(ConfigView config, String key, Function<String, T> parse, Consumer<T> set,
      String expected, List<String> problems) {
    Optional<String> raw = config.get(key).map(String::strip);
    if (raw.isEmpty()) {
      return;
    }
    try {
      set.accept(parse.apply(raw.get()));
    } catch (RuntimeException e) {
      String message = String.valueOf(e.getMessage());
      problems.add(message.startsWith(key + " ") ? message : key + " must be " + expected + ", but was '" + raw.get()
          + "'" + (e instanceof NumberFormatException ? "" : " (" + message + ")"));
    }
  }

  private static int wholeNumber(String value) {
    return Integer.parseInt(value.replace("_", ""));
  }

  private static EnumSet<Reason> reasons(String value) {
    EnumSet<Reason> out = EnumSet.noneOf(Reason.class);
    for (String part : value.split(",")) {
      String name = part.strip().toUpperCase(Locale.ROOT).replace('-', '_');
      if (name.isEmpty()) {
        continue;
      }
      try {
        out.add(Reason.valueOf(name));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown kind '" + part.strip() + "'", e);
      }
    }
    return out;
  }
}

package dev.sreagent.otel;

import dev.sreagent.otel.OtlpHttpReceiver.Endpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The decoders under random and mutated input (a quick run for every build; {@code OtlpFuzzIT} runs 100,000 per
 * signal type), and the regression corpus of inputs that once broke them.
 */
class OtlpFuzzTest {
  private static final OtlpHttpReceiver RECEIVER = OtlpFuzzing.receiver();

  @Provide
  Arbitrary<List<OtlpFuzzing.Mutation>> chains() {
    return OtlpFuzzing.chains();
  }

  @Provide
  Arbitrary<Endpoint> endpoints() {
    return Arbitraries.of(Endpoint.values());
  }

  @Property(tries = 3_000)
  void mutatedProtobufNeverBreaksTheReceiver(@ForAll("endpoints") Endpoint e, @ForAll int seed,
      @ForAll("chains") List<OtlpFuzzing.Mutation> chain) {
    OtlpFuzzing.check(RECEIVER, e, e == Endpoint.ALERTMANAGER ? "application/json" : "application/x-protobuf",
        OtlpFuzzing.mutate(OtlpFuzzing.seeds(e), seed, chain));
  }

  @Property(tries = 1_000)
  void mutatedJsonNeverBreaksTheReceiver(@ForAll("endpoints") Endpoint e, @ForAll int seed,
      @ForAll("chains") List<OtlpFuzzing.Mutation> chain) {
    OtlpFuzzing.check(RECEIVER, e, "application/json", OtlpFuzzing.mutate(OtlpFuzzing.jsonSeeds(e), seed, chain));
  }

  @Property(tries = 1_000)
  void randomBytesNeverBreakTheReceiver(@ForAll("endpoints") Endpoint e, @ForAll byte[] input) {
    if (e != Endpoint.ALERTMANAGER) { // the webhook is JSON only (415 otherwise)
      OtlpFuzzing.check(RECEIVER, e, "application/x-protobuf", input);
    }
    OtlpFuzzing.check(RECEIVER, e, "application/json", input);
  }

  /** Every file in src/test/resources/fuzz-corpus/{metrics,traces,logs,alertmanager}/ is replayed. */
  @Test
  void theCrashCorpusStaysFixed() throws IOException {
    Path root = Path.of("src", "test", "resources", "fuzz-corpus");
    for (Endpoint e : Endpoint.values()) {
      Path dir = root.resolve(e.name().toLowerCase(Locale.ROOT));
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.sorted().toList()) {
          OtlpFuzzing.check(RECEIVER, e, f.toString().endsWith(".json") ? "application/json"
              : "application/x-protobuf", Files.readAllBytes(f));
        }
      }
    }
  }
}

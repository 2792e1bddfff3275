package dev.sreagent.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class RedactorProperties {
  private static final List<String[]> CORPUS = LlmFixtures.corpus();
  private static final Redactor REDACTOR = Redactor.defaults();

  @Provide
  Arbitrary<String> noise() {
    return Arbitraries.strings().withChars(" abcdefghij.,:;=-_/\n0123456789ABC").ofMaxLength(60);
  }

  @Property(tries = 2_000)
  void aSecretInItsUsualContextNeverSurvivesWhateverSurroundsIt(@ForAll("noise") String before,
      @ForAll("noise") String after, @ForAll int which) {
    String[] entry = CORPUS.get(Math.floorMod(which, CORPUS.size()));
    String text = before + " " + entry[1] + " " + after;
    assertThat(REDACTOR.redact(text)).doesNotContain(entry[0]);
  }

  @Property(tries = 500)
  void textWithoutSecretsPassesUnchanged(@ForAll("words") String text) {
    assertThat(REDACTOR.redact(text)).isEqualTo(text);
  }

  @Provide
  Arbitrary<String> words() {
    return Arbitraries.of("checkout", "latency", "p99", "rose", "after", "deploy", "v42", "of", "payments", "the",
        "error", "rate", "is", "30%", "pod", "cart-5f7c9d8b6-abcde", "OOMKilled", "12:34:56", "2026-11-29T03:00:00Z")
        .list().ofMaxSize(30).map(l -> String.join(" ", l));
  }
}

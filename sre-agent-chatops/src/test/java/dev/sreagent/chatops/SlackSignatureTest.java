package dev.sreagent.chatops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.testkit.slack.SlackEmulator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class SlackSignatureTest {
  /** The worked example of Slack's "Verifying requests from Slack". */
  static final String DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
  static final String DOC_TS = "1531420618";
  static final String DOC_BODY = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
      + "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect"
      + "&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskX"
      + "aIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
  static final String DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

  private final SlackSignature doc = new SlackSignature(DOC_SECRET, SlackSignature.DEFAULT_TOLERANCE);

  @Test
  void slacksOwnExampleSignsAndVerifies() {
    byte[] body = DOC_BODY.getBytes(StandardCharsets.UTF_8);
    assertThat(doc.sign(DOC_TS, body)).isEqualTo(DOC_SIGNATURE);
    assertThat(doc.refusal(DOC_TS, DOC_SIGNATURE, body, Instant.ofEpochSecond(1531420618 + 60))).isEmpty();
    assertThat(SlackEmulator.sign(DOC_SECRET, DOC_TS, body)).as("the emulator signs like Slack").isEqualTo(DOC_SIGNATURE);
  }

  @Test
  void theWindowIsFiveMinutesEitherWay() {
    byte[] body = DOC_BODY.getBytes(StandardCharsets.UTF_8);
    long t = 1531420618;
    assertThat(doc.refusal(DOC_TS, DOC_SIGNATURE, body, Instant.ofEpochSecond(t + 300))).isEmpty();
    assertThat(doc.refusal(DOC_TS, DOC_SIGNATURE, body, Instant.ofEpochSecond(t - 300))).isEmpty();
    assertThat(doc.refusal(DOC_TS, DOC_SIGNATURE, body, Instant.ofEpochSecond(t + 301))).get().asString()
        .startsWith("stale");
    assertThat(doc.refusal(DOC_TS, DOC_SIGNATURE, body, Instant.ofEpochSecond(t - 301))).get().asString()
        .startsWith("stale");
  }

  @Test
  void missingOrMalformedHeadersAreRefused() {
    byte[] body = DOC_BODY.getBytes(StandardCharsets.UTF_8);
    Instant now = Instant.ofEpochSecond(1531420618);
    assertThat(doc.refusal(null, DOC_SIGNATURE, body, now)).get().asString().contains("missing");
    assertThat(doc.refusal(DOC_TS, null, body, now)).get().asString().contains("missing");
    assertThat(doc.refusal("yesterday", DOC_SIGNATURE, body, now)).get().asString().contains("epoch seconds");
    assertThat(doc.refusal(DOC_TS, "v1=" + DOC_SIGNATURE.substring(3), body, now)).isPresent();
    assertThat(doc.refusal(DOC_TS, DOC_SIGNATURE.toUpperCase(java.util.Locale.ROOT), body, now)).isPresent();
    assertThatThrownBy(() -> new SlackSignature(" ", Duration.ofMinutes(5))).isInstanceOf(IllegalArgumentException.class);
  }

  @Property(tries = 300)
  void whatIsSignedVerifiesAndAnyChangedByteDoesNot(@ForAll @StringLength(min = 1, max = 400) String text,
      @ForAll("secrets") String secret, @ForAll @IntRange(min = 0, max = 399) int at, @ForAll byte flip) {
    SlackSignature s = new SlackSignature(secret, SlackSignature.DEFAULT_TOLERANCE);
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    String ts = "1700000000";
    Instant now = Instant.ofEpochSecond(1700000000);
    String sig = s.sign(ts, body);
    assertThat(s.refusal(ts, sig, body, now)).isEmpty();
    byte[] changed = body.clone();
    int i = at % changed.length;
    changed[i] = (byte) (changed[i] ^ (flip == 0 ? 1 : flip));
    assertThat(s.refusal(ts, sig, changed, now)).as("a changed body").isPresent();
    assertThat(s.refusal("1700000001", sig, body, now)).as("a changed timestamp").isPresent();
    assertThat(new SlackSignature(secret + "x", SlackSignature.DEFAULT_TOLERANCE).refusal(ts, sig, body, now))
        .as("another secret").isPresent();
  }

  @Provide
  Arbitrary<String> secrets() {
    return Arbitraries.strings().alpha().numeric().ofMinLength(8).ofMaxLength(40);
  }
}

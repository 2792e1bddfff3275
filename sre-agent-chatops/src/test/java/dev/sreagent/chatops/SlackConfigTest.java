package dev.sreagent.chatops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.port.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlackConfigTest {
  static final Map<String, String> ENV = Map.of("SLACK_BOT_TOKEN", "xoxb-1", "SLACK_SIGNING_SECRET", "s3cret");

  @Test
  void everyProblemIsNamedAtOnceWithItsFix() {
    ConfigView bad = ConfigView.of(Map.of("chatops.slack.channel", "#incidents", "chatops.slack.token-env",
        "xoxb-pasted-the-token", "chatops.slack.signing-secret-env", "UNSET_VARIABLE", "chatops.slack.approvers",
        "alice:sre, U0BOB", "chatops.slack.timeout", "soon", "chatops.slack.api-url", "slack.com",
        "chatops.slack.chanel", "C0X"));
    assertThatThrownBy(() -> SlackChatOps.fromConfig(bad, ENV::get, Clock.system()))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(String.join("\n", e.problems()))
            .contains("unknown key 'chatops.slack.chanel'", "channel's ID (C0123ABCD", "not hold the secret; it was"
                + " 'xoxb...'", "names UNSET_VARIABLE, but that environment variable is empty", "'alice:sre' is not"
                + " USERID:ROLE", "'U0BOB' is not USERID:ROLE", "chatops.slack.timeout must be a duration",
                "chatops.slack.api-url must be an http(s) URL").doesNotContain("xoxb-pasted-the-token"));
  }

  @Test
  void aGoodConfigurationBuildsTheAdapter() {
    try (SlackChatOps s = SlackChatOps.fromConfig(ConfigView.of(Map.of("chatops.slack.channel", "C0INC",
        "chatops.slack.token-env", "SLACK_BOT_TOKEN", "chatops.slack.signing-secret-env", "SLACK_SIGNING_SECRET",
        "chatops.slack.approvers", "U0ALICE:sre, U0BOB:sre-lead", "chatops.slack.team", "T0SHOP",
        "chatops.slack.timeout", "5s")), ENV::get, Clock.system())) {
      assertThat(s.toString()).isEqualTo("Slack channel C0INC via https://slack.com/api (2 approvers)");
    }
  }

  @Test
  void aSecretPastedWhereTheVariablesNameBelongsIsNeverEchoed() {
    String secret = "a3f9c1d2e4b5a6978812345678902211";  // a signing secret's shape: 32 hex digits, a valid name
    ConfigView bad = ConfigView.of(Map.of("chatops.slack.channel", "C0INC", "chatops.slack.token-env",
        "SLACK_BOT_TOKEN", "chatops.slack.signing-secret-env", secret, "chatops.slack.approvers", "U0A:sre",
        "chatops.slack.api-url", "http://slack.example.com/api"));
    assertThatThrownBy(() -> SlackChatOps.fromConfig(bad, ENV::get, Clock.system()))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(String.join("\n", e.problems()))
            .contains("not hold the secret; it was 'a3f9...'", "must be https://").doesNotContain(secret));
  }

  @Test
  void nothingConfiguredSaysWhatIsNeeded() {
    assertThatThrownBy(() -> SlackChatOps.fromConfig(ConfigView.empty(), ENV::get, Clock.system()))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).hasSize(4));
  }

  @Test
  void approversThatNameNobodyOrOneMemberTwiceAreNamed() {
    for (String list : new String[] {",", " , ,"}) {
      assertThatThrownBy(() -> SlackChatOps.fromConfig(ConfigView.of(Map.of("chatops.slack.channel", "C0INC",
          "chatops.slack.token-env", "SLACK_BOT_TOKEN", "chatops.slack.signing-secret-env", "SLACK_SIGNING_SECRET",
          "chatops.slack.approvers", list)), ENV::get, Clock.system()))
          .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).singleElement()
              .asString().startsWith("chatops.slack.approvers is empty"));
    }
    assertThatThrownBy(() -> SlackChatOps.fromConfig(ConfigView.of(Map.of("chatops.slack.channel", "C0INC",
        "chatops.slack.token-env", "SLACK_BOT_TOKEN", "chatops.slack.signing-secret-env", "SLACK_SIGNING_SECRET",
        "chatops.slack.approvers", "U0ALICE:sre, U0ALICE:oncall")), ENV::get, Clock.system()))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).singleElement()
            .asString().contains("gives U0ALICE two roles ('sre' and 'oncall')"));
  }
}

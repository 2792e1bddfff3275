package dev.sreagent.chatops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.port.Clock;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TeamsConfigTest {
  static final String APP = "6f1c2b3a-1111-4222-8333-444455556666";
  static final String TENANT = "0a1b2c3d-aaaa-4bbb-8ccc-ddddeeeeffff";
  static final String ALICE = "11111111-2222-4333-8444-555555555555";
  static final Map<String, String> ENV = Map.of("TEAMS_APP_PASSWORD", "Abc8Q~not-a-real-secret");

  @Test
  void everyProblemIsNamedAtOnceWithItsFix() {
    String pasted = "Xy7Q~abcdefghijklmnopqrstuvwxyz0123456789";  // an Azure client secret's shape
    ConfigView bad = ConfigView.of(Map.of("chatops.teams.app-id", "sre-agent-bot", "chatops.teams.tenant",
        "contoso.onmicrosoft.com", "chatops.teams.app-password-env", pasted, "chatops.teams.conversation",
        "Incidents", "chatops.teams.approvers", "alice@contoso.com:sre, " + ALICE + ":admin",
        "chatops.teams.service-url", "http://smba.trafficmanager.net/teams/", "chatops.teams.timeout", "soon",
        "chatops.teams.conversaton", "x", "chatops.teams.openid-url", "https://user:pw@login.example.com/x"));
    assertThatThrownBy(() -> TeamsChatOps.fromConfig(bad, ENV::get, Clock.system(), Set.of("sre", "oncall")))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(String.join("\n", e.problems()))
            .contains("unknown key 'chatops.teams.conversaton'", "chatops.teams.app-id must be the bot's Microsoft"
                + " App ID", "chatops.teams.tenant must be the directory (tenant) ID", "not hold the secret; it was"
                + " 'Xy7Q...'", "chatops.teams.conversation must be the channel's conversation ID",
                "'alice@contoso.com:sre' is not OBJECT-ID:ROLE", "the role 'admin', which the agent does not accept",
                "chatops.teams.service-url must be https://", "chatops.teams.timeout must be a duration",
                "chatops.teams.openid-url must not hold credentials")
            .doesNotContain(pasted).doesNotContain("user:pw"));
  }

  @Test
  void aGoodConfigurationBuildsTheAdapter() {
    try (TeamsChatOps t = TeamsChatOps.fromConfig(ConfigView.of(Map.of("chatops.teams.app-id", APP,
        "chatops.teams.tenant", TENANT, "chatops.teams.app-password-env", "TEAMS_APP_PASSWORD",
        "chatops.teams.conversation", "19:abc123@thread.tacv2", "chatops.teams.approvers", ALICE + ":sre",
        "chatops.teams.timeout", "5s", "chatops.slack.channel", "C0IGNORED")), ENV::get, Clock.system(), Set.of())) {
      assertThat(t.toString()).isEqualTo("Teams conversation 19:abc123@thread.tacv2 via"
          + " https://smba.trafficmanager.net/teams/ (1 approvers)");
      assertThat(t.approverRoles()).containsExactly("sre");
    }
  }

  @Test
  void nothingConfiguredSaysWhatIsNeeded() {
    assertThatThrownBy(() -> TeamsChatOps.fromConfig(ConfigView.empty(), ENV::get, Clock.system(), Set.of()))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).hasSize(5)
            .allSatisfy(p -> assertThat(p).containsAnyOf("is missing", "is empty")
                .containsAnyOf("GUID", "environment variable", "OBJECT-ID", "conversation ID")));
  }
}

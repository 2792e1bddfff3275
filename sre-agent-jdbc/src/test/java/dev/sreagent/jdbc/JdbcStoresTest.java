package dev.sreagent.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration errors name the URL, the user and the fix; never the password. */
class JdbcStoresTest {
  @Test
  void anUnsupportedUrlIsRefusedWithTheSupportedOnes() {
    assertThatThrownBy(() -> JdbcStores.postgres("jdbc:mysql://db/x", "u", "secret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbc:postgresql://").hasMessageContaining("jdbc:mysql://db/x")
        .hasMessageContaining("JdbcStores.embedded");
  }

  @Test
  void anH2DatabaseIsClosedByTheStoreNotByH2sShutdownHook(@TempDir Path dir) {
    // H2's own hook would close the database before the agent's hook stopped the agent (seen: `./sre-agent run
    // --store jdbc:h2:file:...` failed its last reads on SIGTERM)
    try (JdbcStores db = JdbcStores.embedded(dir)) {
      assertThat(db.url()).contains(";DB_CLOSE_ON_EXIT=FALSE");
    }
    try (JdbcStores db = JdbcStores.builder().setUrl("jdbc:h2:mem:x" + System.nanoTime() + ";DB_CLOSE_ON_EXIT=TRUE")
        .setUser("sa").build()) {
      assertThat(db.url()).as("a setting of the user's own is kept").endsWith(";DB_CLOSE_ON_EXIT=TRUE");
    }
  }

  @Test
  void aServerThatIsNotThereIsNamedWithTheFix() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/sreagent";
    assertThatThrownBy(() -> JdbcStores.builder().setUrl(url).setUser("agent").setPassword("s3cret-pw")
        .setConnectionTimeout(Duration.ofMillis(500)).build())
        .isInstanceOf(JdbcStoreException.class)
        .hasMessageContaining(url).hasMessageContaining("user 'agent'")
        .hasMessageContaining("not reachable").hasMessageNotContaining("s3cret-pw")
        .satisfies(e -> assertThat(((JdbcStoreException) e).sqlState()).startsWith("08"));
  }

  @Test
  void wrongCredentialsAreNamedWithTheFix(@TempDir Path dir) {
    JdbcStores.embedded(dir).close(); // created with user sa, no password
    String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("sre-agent");
    assertThatThrownBy(() -> JdbcStores.builder().setUrl(url).setUser("sa").setPassword("wrong-pw").build())
        .isInstanceOf(JdbcStoreException.class)
        .hasMessageContaining(url).hasMessageContaining("check the user and password")
        .hasMessageNotContaining("wrong-pw");
  }

  @Test
  void builderSettersValidateAndRefuseSettingTwice() {
    assertThatThrownBy(() -> JdbcStores.builder().setMaximumPoolSize(0))
        .hasMessageContaining("maximumPoolSize").hasMessageContaining("0");
    assertThatThrownBy(() -> JdbcStores.builder().setUrl("jdbc:h2:mem:a").setUrl("jdbc:h2:mem:b"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("jdbc:h2:mem:a");
    assertThatThrownBy(() -> JdbcStores.builder().build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("url must be set");
  }
}

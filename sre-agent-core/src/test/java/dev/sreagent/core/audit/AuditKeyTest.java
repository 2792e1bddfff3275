package dev.sreagent.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditKeyTest {
  private static final String SECRET = "c2VjcmV0IGtleSBtYXRlcmlhbCBvZiAzMiBieXRlcyE=";

  @Test
  void aKeyFileWithItsNewlineGivesTheSameKeyAsTheBytesAndNeverShowsThem(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.key");
    Files.writeString(file, SECRET + "\n");
    AuditKey fromFile = AuditKey.fromFile(file);
    AuditKey fromBytes = AuditKey.of(SECRET.getBytes(StandardCharsets.UTF_8));
    assertThat(fromFile.id()).hasSize(16).isEqualTo(fromBytes.id());
    assertThat(fromFile.mac("x")).isEqualTo(fromBytes.mac("x"));
    assertThat(fromFile.toString()).contains(fromFile.id()).contains(file.toString()).doesNotContain(SECRET);
  }

  @Test
  void aKeyFromTheEnvironmentMatchesTheSameKeyInAFile() {
    AuditKey env = AuditKey.fromEnvironment("SRE_AGENT_AUDIT_KEY", Map.of("SRE_AGENT_AUDIT_KEY", SECRET)::get);
    assertThat(env.id()).isEqualTo(AuditKey.of(SECRET.getBytes(StandardCharsets.UTF_8)).id());
    assertThat(env.toString()).contains("environment variable SRE_AGENT_AUDIT_KEY").doesNotContain(SECRET);
  }

  @Test
  void shortMissingOrUnsetKeysAreRefusedWithTheFix(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("short.key");
    Files.writeString(file, "hunter2\n");
    assertThatThrownBy(() -> AuditKey.fromFile(file)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("audit key must be at least 32 bytes, but was 7 bytes (file " + file + ")")
        .hasMessageContaining("head -c 32 /dev/urandom | base64")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> AuditKey.fromFile(dir.resolve("none.key"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("audit key file must be readable, but " + dir.resolve("none.key"));
    assertThatThrownBy(() -> AuditKey.fromEnvironment("NO_SUCH_SRE_AGENT_KEY", Map.<String, String>of()::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("audit key environment variable NO_SUCH_SRE_AGENT_KEY must be set, but is not");
  }

  @Test
  void differentKeysHaveDifferentIdsAndMacs() {
    AuditKey a = AuditKey.of(SECRET.getBytes(StandardCharsets.UTF_8));
    AuditKey b = AuditKey.of((SECRET + "!").getBytes(StandardCharsets.UTF_8));
    assertThat(a.id()).isNotEqualTo(b.id());
    assertThat(a.mac("record")).isNotEqualTo(b.mac("record"));
    assertThat(a.verifies("record", a.mac("record"))).isTrue();
    assertThat(a.verifies("record", b.mac("record"))).isFalse();
    assertThat(a.verifies("record", null)).isFalse();
  }
}

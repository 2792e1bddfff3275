package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void theJdkServersGetARequestDeadlineUnlessTheJvmWasGivenOne() {
    String before = System.getProperty(Main.REQUEST_TIME_PROPERTY);
    try {
      System.clearProperty(Main.REQUEST_TIME_PROPERTY);
      Main.limitRequestTime();
      assertThat(System.getProperty(Main.REQUEST_TIME_PROPERTY)).isEqualTo("30");
      System.setProperty(Main.REQUEST_TIME_PROPERTY, "5");
      Main.limitRequestTime();
      assertThat(System.getProperty(Main.REQUEST_TIME_PROPERTY)).isEqualTo("5");
    } finally {
      if (before == null) {
        System.clearProperty(Main.REQUEST_TIME_PROPERTY);
      } else {
        System.setProperty(Main.REQUEST_TIME_PROPERTY, before);
      }
    }
  }

  @Test
  void badArgumentsExitTwoAndSayWhatIsWrong() {
    assertThat(run("demo", "--phase", "yolo")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--phase must be observe, assist or autonomous")
        .contains("'yolo'");
    assertThat(run("demo", "--scenario", "nope")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("oom-kill");
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(run("demo", "--seed")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--seed needs a value");
  }

  @Test
  void helpListsTheScenarios() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--scenario NAME").contains("cascading-failure");
  }

  @Test
  void oneScenarioWritesTheTimelineTheReportAndTheAuditLog(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("report.json");
    int status = run("demo", "--scenario", "cascading-failure", "--report", report.toString(), "--audit-dir",
        dir.resolve("audit").toString());
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(status).as(printed).isZero();
    assertThat(printed).contains("diagnosed").contains("approval-requested").contains("action-executed")
        .contains("resolved").contains("1/1 passed");
    String json = Files.readString(report);
    assertThat(json).contains("\"scenario\" : \"cascading-failure\"").contains("\"faultType\" : \"error-rate-spike\"")
        .contains("\"faultService\" : \"payments\"").contains("\"detectedSeconds\"").contains("\"totals\"")
        .contains("\"rootService\" : \"payments\"");
    assertThat(dir.resolve("audit").resolve("cascading-failure.audit.jsonl")).exists();
  }

  @Test
  void observeRecordsIntendedActionsInTheAuditLog(@TempDir Path dir) throws Exception {
    int status = run("demo", "--scenario", "certificate-expiry", "--phase", "observe", "--quiet", "--audit-dir",
        dir.toString());
    assertThat(status).isZero();
    String audit = Files.readString(dir.resolve("certificate-expiry.audit.jsonl"));
    assertThat(audit).contains("\"type\":\"action.shadowed\"").doesNotContain("\"type\":\"action.started\"");
  }
}

package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --replay} without {@code audit.file}: every replay writes a fresh audit log in a new temporary directory
 * (named in the start line), so a replay never rebuilds the incidents of an earlier one from the working directory's
 * {@code sre-agent-data/audit.jsonl}; an explicit {@code --audit FILE} is kept and replayed as before.
 */
class RealModeReplayAuditTest {
  private static final Pattern AUDIT = Pattern.compile("audit (\\S+) \\(unkeyed, fresh for this replay");

  private static String replay(List<String> extra) throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of("--replay",
        RealModeReplayTest.resource("ob-2022-08-22-13.csv").toString(), "--json", "--topology",
        RealModeReplayTest.resource("ob.edges.csv").toString(), "--config",
        RealModeReplayTest.resource("mapping.conf").toString()));
    args.addAll(extra);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = RealMode.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), null);
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The incident events (JSON lines). */
  private static List<String> events(String text) {
    return text.lines().filter(l -> l.startsWith("{")).toList();
  }

  private static Path audit(String text) {
    Matcher m = AUDIT.matcher(text);
    assertThat(m.find()).as(text).isTrue();
    return Path.of(m.group(1));
  }

  @Test
  void twoReplaysInOneWorkingDirectoryDoNotShareTheirIncidents() throws Exception {
    String first = replay(List.of());
    String second = replay(List.of());

    assertThat(events(first)).as(first).filteredOn(l -> l.contains("\"opened\"")).singleElement()
        .satisfies(l -> assertThat(l).contains("\"incident\":\"INC-0001\"").contains("\"root\":\"emailservice\""));
    // the second replay starts clean: the same events, its incident opened afresh under the same id, nothing of the
    // first replay's incident rebuilt and moved on
    assertThat(events(second)).as(second).isEqualTo(events(first));
    Path a = audit(first);
    Path b = audit(second);
    assertThat(a).isNotEqualTo(b).isAbsolute().exists();
    assertThat(b.getParent()).isNotEqualTo(a.getParent());
    assertThat(b).startsWith(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath());
    assertThat(Path.of("sre-agent-data", "audit.jsonl")).doesNotExist();
    for (Path dir : List.of(a.getParent(), b.getParent())) {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(dir);
    }
  }

  /**
   * An explicit audit file is the operator's: a second replay into it rebuilds the first's incident, as a restart
   * (its new incident is INC-0002). Its detectors start cold: the snapshot next to the audit file was taken at the end
   * of the first replay's recorded time, after the second replay's clock, and is refused (restored, it had learned
   * the fault, and the second replay found nothing — which this test took for the rebuilt incident until the refusal).
   */
  @Test
  void anExplicitAuditFileIsKeptAcrossReplays(@TempDir Path dir) throws Exception {
    Path audit = dir.resolve("audit.jsonl");
    String first = replay(List.of("--audit", audit.toString()));
    String second = replay(List.of("--audit", audit.toString()));
    assertThat(first).contains("audit " + audit.toAbsolutePath() + " (unkeyed)");
    assertThat(events(first)).filteredOn(l -> l.contains("\"opened\"")).singleElement()
        .satisfies(l -> assertThat(l).contains("\"incident\":\"INC-0001\""));
    assertThat(events(second)).as(second).filteredOn(l -> l.contains("\"opened\"")).singleElement()
        .satisfies(l -> assertThat(l).contains("\"incident\":\"INC-0002\"", "\"root\":\"emailservice\""));
  }
}

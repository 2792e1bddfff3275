package dev.sreagent.aws;

import dev.sreagent.api.port.Clock;
import dev.sreagent.testkit.aws.SsmEmulation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A host's shell for the emulated SSM: the script a command carries, run by a real {@code sh} with real {@code find}
 * and {@code truncate}, its {@code /var/log/} rooted under a test's directory (the only change made to a script).
 */
final class RealShell {
  private RealShell() {}

  /** Runs {@code commands} with {@code /var/log/} under {@code base} and {@code env} added to the environment. */
  static SsmEmulation.Execution run(Path base, List<String> commands, Map<String, String> env) {
    String script = String.join("\n", commands).replace("/var/log/", base + "/var/log/");
    try {
      ProcessBuilder pb = new ProcessBuilder("sh", "-c", script);
      pb.environment().putAll(env);
      Process p = pb.start();
      p.getOutputStream().close();
      String out = read(p.getInputStream());
      String err = read(p.getErrorStream());
      int exit = p.waitFor();
      return new SsmEmulation.Execution(exit, out.replace(base.toString(), ""), err.replace(base.toString(), ""));
    } catch (IOException e) {
      return new SsmEmulation.Execution(127, "", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new SsmEmulation.Execution(130, "", "interrupted");
    }
  }

  private static String read(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    in.transferTo(b);
    return b.toString(StandardCharsets.UTF_8);
  }

  /**
   * Real time plus what its waits added, so a 30 s command timeout passes in a few milliseconds; {@link #onNow} runs
   * once at the next reading (a hook between an executor's calls).
   */
  static final class Stepping implements Clock {
    final AtomicLong offset = new AtomicLong();
    volatile Runnable onNow;

    @Override
    public Instant now() {
      Runnable r = onNow;
      if (r != null) {
        onNow = null;
        r.run();
      }
      return Instant.now().plusMillis(offset.get());
    }

    @Override
    public void sleep(Duration d) throws InterruptedException {
      offset.addAndGet(d.toMillis());
      Thread.sleep(2);
    }
  }
}

package dev.sreagent.core.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ResilientActionExecutorTest {
  private static final Action SCALE = new Action.ScaleReplicas("cart", 2, 3);
  private Instant now = Instant.parse("2026-01-01T00:00:00Z");

  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicBoolean healthy = new AtomicBoolean(false);

  private final ActionExecutor backend = new ActionExecutor() {
    @Override
    public String name() {
      return "backend";
    }

    @Override
    public boolean supports(Action action) {
      return true;
    }

    @Override
    public ActionResult execute(Action action, ExecutionContext ctx) {
      calls.incrementAndGet();
      if (!healthy.get()) {
        throw new IllegalStateException("503 from the API server");
      }
      return new ActionResult(ctx.idempotencyKey(), ActionResult.Status.SUCCEEDED, "ok", now);
    }
  };

  private static ExecutionContext ctx(int i) {
    return new ExecutionContext("INC-1", "key-" + i, 1, false);
  }

  @Test
  void theCircuitOpensOnFailuresAndClosesAfterTheWaitOnTheAgentsClock() {
    ExecutorPolicy policy = ExecutorPolicy.defaults().withCircuitBreaker(50f, 4, 4, Duration.ofMinutes(5));
    try (ResilientActionExecutor r = new ResilientActionExecutor(backend, policy, () -> now)) {
      for (int i = 0; i < 4; i++) {
        assertThat(r.execute(SCALE, ctx(i)).status()).isEqualTo(ActionResult.Status.FAILED);
      }
      assertThat(r.circuitState()).isEqualTo("OPEN");
      ActionResult refused = r.execute(SCALE, ctx(9));
      assertThat(refused.status()).isEqualTo(ActionResult.Status.UNAVAILABLE);
      assertThat(refused.message()).contains("circuit");
      assertThat(calls.get()).as("an open circuit does not call the backend").isEqualTo(4);

      healthy.set(true);
      now = now.plus(Duration.ofMinutes(4));
      assertThat(r.execute(SCALE, ctx(10)).status()).isEqualTo(ActionResult.Status.UNAVAILABLE);
      now = now.plus(Duration.ofMinutes(2));
      assertThat(r.execute(SCALE, ctx(11)).status()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(r.circuitState()).isEqualTo("CLOSED");
    }
  }

  @Test
  void aHangingCallTimesOutWithAnUnknownOutcome() {
    ActionExecutor hanging = new ActionExecutor() {
      @Override
      public String name() {
        return "hanging";
      }

      @Override
      public boolean supports(Action action) {
        return true;
      }

      @Override
      public ActionResult execute(Action action, ExecutionContext ctx) {
        try {
          Thread.sleep(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return new ActionResult(ctx.idempotencyKey(), ActionResult.Status.SUCCEEDED, "late", now);
      }
    };
    try (ResilientActionExecutor r = new ResilientActionExecutor(hanging,
        ExecutorPolicy.defaults().withTimeout(Duration.ofMillis(50)), () -> now)) {
      ActionResult res = r.execute(SCALE, ctx(1));
      assertThat(res.status()).isEqualTo(ActionResult.Status.TIMED_OUT);
      assertThat(res.message()).contains("outcome unknown");
    }
  }

  @Test
  void backoffGrowsAndStaysWithinTheJitter() {
    ExecutorPolicy p = ExecutorPolicy.defaults().withBackoff(Duration.ofSeconds(10), 2.0, 0.5);
    assertThat(p.backoff(1, 0.5)).isEqualTo(Duration.ofSeconds(10));
    assertThat(p.backoff(2, 0.5)).isEqualTo(Duration.ofSeconds(20));
    assertThat(p.backoff(3, 0.0)).isEqualTo(Duration.ofSeconds(20));
    assertThat(p.backoff(3, 0.999)).isLessThanOrEqualTo(Duration.ofSeconds(60));
  }
}

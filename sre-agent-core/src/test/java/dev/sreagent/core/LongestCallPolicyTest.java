package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.core.execution.ExecutorPolicy;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An executor that waits by design (a review, a sync) is not cut off by the default time limit. */
class LongestCallPolicyTest {
  private static ActionExecutor waitingUpTo(Duration longest) {
    ActionExecutor noop = ActionExecutor.noop();
    return new ActionExecutor() {
      @Override
      public String name() {
        return "waits";
      }

      @Override
      public boolean supports(Action action) {
        return false;
      }

      @Override
      public ActionResult execute(Action action, ExecutionContext context) {
        return noop.execute(action, context);
      }

      @Override
      public Optional<Duration> longestCall() {
        return Optional.of(longest);
      }
    };
  }

  @Test
  void theDefaultLimitIsRaisedToTheExecutorsLongestCall() {
    assertThat(AgentAssembly.policyFor(waitingUpTo(Duration.ofMinutes(70)), null).timeout())
        .isEqualTo(Duration.ofMinutes(70));
  }

  @Test
  void aShorterLongestCallNeverLowersTheDefault() {
    assertThat(AgentAssembly.policyFor(waitingUpTo(Duration.ofSeconds(1)), null).timeout())
        .isEqualTo(ExecutorPolicy.defaults().timeout());
    assertThat(AgentAssembly.policyFor(ActionExecutor.noop(), null).timeout())
        .isEqualTo(ExecutorPolicy.defaults().timeout());
  }

  @Test
  void aPolicySetInCodeWins() {
    ExecutorPolicy set = ExecutorPolicy.defaults().withTimeout(Duration.ofMinutes(1));
    assertThat(AgentAssembly.policyFor(waitingUpTo(Duration.ofMinutes(70)), set)).isSameAs(set);
  }
}

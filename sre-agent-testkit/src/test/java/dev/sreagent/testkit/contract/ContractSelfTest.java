package dev.sreagent.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/** Every contract catches its broken implementation: a contract that cannot fail would be no contract. */
class ContractSelfTest {
  @Test
  void everyBrokenImplementationFailsItsContract() {
    List<Event> failed = EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(BrokenImplementations.class))
        .execute()
        .testEvents()
        .failed()
        .list();
    List<String> classes = failed.stream().map(e -> e.getTestDescriptor().getUniqueId().toString()).toList();
    for (String broken : List.of("LocksThatNeverRefuse", "LocksThatRenewWhatTheyNoLongerHold", "StoreThatAppendsReplacements", "AuditLogWithoutAChain",
        "KnowledgeBaseThatIgnoresTheQuery", "ExecutorThatForgetsKeysAndTokens", "SourceThatPushesAfterClose",
        "ChannelThatRepeatsItself", "MembershipThatKeepsTheDead")) {
      assertThat(classes).as(broken + " must fail its contract").anyMatch(id -> id.contains(broken));
    }
  }
}

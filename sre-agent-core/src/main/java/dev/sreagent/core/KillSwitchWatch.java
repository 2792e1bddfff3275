package dev.sreagent.core;

import dev.sreagent.core.audit.AuditEvent;
import dev.sreagent.core.guardrail.KillSwitch;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kill switch as the audit log knows it: engaged again on start when the log says it was engaged, and every later
 * change audited in order.
 */
final class KillSwitchWatch {
  private static final Logger LOG = LoggerFactory.getLogger(KillSwitchWatch.class);

  private final KillSwitch killSwitch;
  private @Nullable String seen;

  /**
   * @param replayed the reason the switch was engaged with as the replayed audit log ends, or null when released
   */
  KillSwitchWatch(KillSwitch killSwitch, @Nullable String replayed) {
    this.killSwitch = killSwitch;
    this.seen = replayed;
    if (replayed != null) {
      killSwitch.engage(replayed); // an engaged kill switch survives a restart until an operator releases it
      killSwitch.takeChanges(); // already in the audit log
      LOG.warn("the kill switch was engaged before the restart ({}); it stays engaged", replayed);
    }
  }

  /**
   * Audits every change of the kill switch since the last call, in order (it may be flipped from any thread, and
   * engaged and released again between two ticks: both are recorded).
   */
  void notice(LoopContext ctx) {
    for (KillSwitch.Change c : killSwitch.takeChanges()) {
      if (!c.engaged() && seen == null) {
        continue; // a release of a switch that was not engaged changes nothing
      }
      ctx.audit(new AuditEvent.KillSwitchChanged("operator", c.engaged(), c.reason()));
      seen = c.engaged() ? c.reason() : null;
    }
  }
}

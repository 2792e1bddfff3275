package dev.sreagent.chatops;

import dev.sreagent.testkit.SimulationHarness;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The chat commands on a simulated agent's kill switch, as {@code run} wires them; every reason given is kept. */
final class HarnessCommands implements ChatCommands {
  final List<String> reasons = new ArrayList<>();
  private final SimulationHarness h;

  HarnessCommands(SimulationHarness h) {
    this.h = h;
  }

  @Override
  public String agent() {
    return "shop-agent";
  }

  @Override
  public @Nullable String engaged() {
    return h.agent().killSwitch().reason();
  }

  @Override
  public void stop(String reason) {
    reasons.add(reason);
    h.agent().killSwitch().engage(reason);
  }

  @Override
  public void resume(String reason) {
    reasons.add(reason);
    h.agent().killSwitch().release(reason);
  }

  @Override
  public String status() {
    return "kill switch " + (h.agent().killSwitch().engaged() ? "engaged" : "released");
  }
}

package dev.sreagent.testkit.contract;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A resource that checks fencing tokens the way the Kubernetes executors do with the token recorded on the object: it
 * remembers the greatest token it has seen per target and refuses a write carrying a smaller one (an equal one is the
 * same holder again). For lock adapters' fault tests: a paused holder's late write must be refused here.
 */
public final class FencedResource {
  private final Map<String, Long> greatest = new HashMap<>();
  private final List<String> applied = new ArrayList<>();
  private final List<String> refused = new ArrayList<>();

  /** Applies {@code value} unless {@code token} is smaller than the greatest seen for {@code target}. */
  public synchronized boolean write(String target, long token, String value) {
    Long seen = greatest.get(target);
    if (seen != null && token < seen) {
      refused.add(value + " (token " + token + " < " + seen + ")");
      return false;
    }
    greatest.put(target, token);
    applied.add(value);
    return true;
  }

  /** The values applied, in order. */
  public synchronized List<String> applied() {
    return List.copyOf(applied);
  }

  /** The values refused, each with the tokens compared. */
  public synchronized List<String> refused() {
    return List.copyOf(refused);
  }
}

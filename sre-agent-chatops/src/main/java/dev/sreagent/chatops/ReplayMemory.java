package dev.sreagent.chatops;

import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Callbacks seen while they could still be accepted, so that a captured one cannot be replayed: each is remembered
 * until it expires; when {@code capacity} unexpired ones are remembered, a new one is refused rather than an old one
 * forgotten.
 */
final class ReplayMemory {
  private final int capacity;
  private final Map<String, Long> seen = new HashMap<>();

  ReplayMemory(int capacity) {
    this.capacity = capacity;
  }

  /**
   * True the first time {@code key} is seen, false when it was seen, null when the memory is full of keys that have
   * not expired.
   *
   * @param expires when a callback with this key is refused anyway (epoch seconds)
   */
  synchronized @Nullable Boolean firstSighting(String key, long expires, long now) {
    if (seen.containsKey(key)) {
      return false;
    }
    if (seen.size() >= capacity) {
      seen.values().removeIf(e -> e < now);
      if (seen.size() >= capacity) {
        return null;
      }
    }
    seen.put(key, expires);
    return true;
  }
}

package dev.sreagent.chatops;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** What a chat adapter did and refused, by name; the names given at construction are reported from the start at 0. */
final class ChatCounters {
  private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();

  ChatCounters(List<String> alwaysCounted) {
    for (String c : alwaysCounted) {
      counters.put(c, new AtomicLong());  // present from the start at 0: a first failure is an increase
    }
  }

  long count(String name) {
    return counters.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
  }

  Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }
}

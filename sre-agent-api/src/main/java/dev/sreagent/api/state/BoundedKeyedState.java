package dev.sreagent.api.state;

import java.util.AbstractCollection;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * State per key (a series, a pod, a service, a call edge) with a cap on the number of keys, for structures fed by
 * telemetry whose cardinality the agent does not control. When a new key arrives and the cap is reached, the idlest
 * key that has not proved itself makes way; a burst of one-off keys can never displace keys in regular use.
 *
 * <p>It is a segmented LRU (the idea of Caffeine's main space, written for this SDK): a new key enters the
 * <em>probation</em> segment; a key that is used again while on probation moves to the <em>protected</em> segment
 * (at most {@link #PROTECTED_SHARE} of the capacity; when that is full its least recently used key goes back to
 * probation, most recently used there, for another chance). Room for a new key is always made by evicting the least
 * recently used key on probation, so keys used at least twice and then regularly - live series, pods that report,
 * services that log - stay while any number of keys seen once churn through probation. Evictions are counted
 * ({@link #evictions()}); keys that go idle can also be dropped by the owner's own rule ({@link #expire}, counted in
 * {@link #expirations()}).
 *
 * <pre>{@code
 * BoundedKeyedState<String, Baseline> baselines = new BoundedKeyedState<>(200_000);
 * Baseline b = baselines.computeIfAbsent(sample.seriesKey(), k -> new Baseline());  // a use: may promote the key
 * baselines.expire((key, baseline) -> baseline.lastSeen().isBefore(cutoff));      // idle keys, eldest first
 * }</pre>
 *
 * <p>Deterministic: no randomness and no dependence on hash order (both segments keep their keys in use order), so
 * a seeded simulation replays bit for bit. Lookups, insertions and evictions are O(1); {@link #expire} is O(1) per
 * key it removes. Memory: one {@link LinkedHashMap} entry per key. Not thread-safe: the owner serialises access (the
 * agent's loop thread does).
 *
 * @param <K> key
 * @param <V> state per key
 */
public final class BoundedKeyedState<K, V> {
  /** The share of the capacity the protected segment may hold (keys that proved themselves by being used again). */
  public static final double PROTECTED_SHARE = 0.8;

  private final int capacity;
  private final int protectedCapacity;
  private final BiConsumer<? super K, ? super V> onRemoval;
  /** Keys seen once (or demoted), least recently used first. */
  private final LinkedHashMap<K, V> probation = new LinkedHashMap<>(16, 0.75f, true);
  /** Keys used again while on probation, least recently used first. */
  private final LinkedHashMap<K, V> protectedKeys = new LinkedHashMap<>(16, 0.75f, true);
  private long evictions;
  private long expirations;

  /** At most {@code capacity} keys. */
  public BoundedKeyedState(int capacity) {
    this(capacity, (k, v) -> { });
  }

  /**
   * At most {@code capacity} keys; {@code onRemoval} hears of every key this structure drops by itself (evicted for
   * room, expired, removed by {@link #removeIf}) - not of {@link #remove}, whose caller gets the value. The listener
   * must not modify this structure.
   */
  public BoundedKeyedState(int capacity, BiConsumer<? super K, ? super V> onRemoval) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, but was " + capacity);
    }
    this.capacity = capacity;
    this.protectedCapacity = (int) (capacity * PROTECTED_SHARE);
    this.onRemoval = Objects.requireNonNull(onRemoval, "onRemoval");
  }

  /** The state of {@code key}, or null; a use of the key (it may move to the protected segment). */
  public @Nullable V get(K key) {
    V v = protectedKeys.get(key);
    if (v != null) {
      return v;
    }
    v = probation.remove(key);
    if (v != null) {
      promote(key, v);
    }
    return v;
  }

  /**
   * The state of {@code key}, created with {@code create} when there is none (which may evict the idlest key on
   * probation); a use of the key. {@code create} must not modify this structure and must not return null.
   */
  public V computeIfAbsent(K key, Function<? super K, ? extends V> create) {
    V v = get(key);
    if (v != null) {
      return v;
    }
    V created = Objects.requireNonNull(create.apply(key), "create returned null");
    insert(key, created);
    return created;
  }

  /** Sets the state of {@code key} (a use of the key); returns the previous state, or null for a new key. */
  public @Nullable V put(K key, V value) {
    Objects.requireNonNull(value, "value");
    V old = protectedKeys.get(key);
    if (old != null) {
      protectedKeys.put(key, value);
      return old;
    }
    old = probation.remove(key);
    if (old != null) {
      promote(key, value);
      return old;
    }
    insert(key, value);
    return null;
  }

  /** Whether {@code key} has state; not a use of the key. */
  public boolean containsKey(K key) {
    return protectedKeys.containsKey(key) || probation.containsKey(key);
  }

  /** Removes {@code key}; returns its state, or null. Not counted, not reported to the removal listener. */
  public @Nullable V remove(K key) {
    V v = protectedKeys.remove(key);
    return v != null ? v : probation.remove(key);
  }

  /**
   * Drops idle keys: from the least recently used end of each segment, while {@code idle} holds for the eldest key.
   * With use order following time (a key is used when its signal arrives), that is every key idle by the caller's
   * rule at O(1) per key dropped; a key used out of time order may wait behind a younger one until that one goes.
   *
   * @return keys dropped (also counted in {@link #expirations()})
   */
  public int expire(BiPredicate<? super K, ? super V> idle) {
    int n = expireEldest(probation, idle) + expireEldest(protectedKeys, idle);
    expirations += n;
    return n;
  }

  /** Drops every key for which {@code filter} holds, O(size); counted in {@link #expirations()}. */
  public int removeIf(BiPredicate<? super K, ? super V> filter) {
    int n = removeIf(probation, filter) + removeIf(protectedKeys, filter);
    expirations += n;
    return n;
  }

  /** Calls {@code action} for every key and its state, protected keys first, each segment least recently used first. */
  public void forEach(BiConsumer<? super K, ? super V> action) {
    protectedKeys.forEach(action);
    probation.forEach(action);
  }

  /** A read-only view of the states, in the order of {@link #forEach}; iterating is not a use of the keys. */
  public Collection<V> values() {
    return new AbstractCollection<>() {
      @Override
      public Iterator<V> iterator() {
        Iterator<V> first = protectedKeys.values().iterator();
        Iterator<V> second = probation.values().iterator();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return first.hasNext() || second.hasNext();
          }

          @Override
          public V next() {
            if (first.hasNext()) {
              return first.next();
            }
            if (second.hasNext()) {
              return second.next();
            }
            throw new NoSuchElementException();
          }
        };
      }

      @Override
      public int size() {
        return BoundedKeyedState.this.size();
      }
    };
  }

  /** Keys held now; never more than {@link #capacity()}. */
  public int size() {
    return probation.size() + protectedKeys.size();
  }

  /** Keys that were used again while on probation and are held in the protected segment now. */
  public int protectedSize() {
    return protectedKeys.size();
  }

  /** The cap on keys. */
  public int capacity() {
    return capacity;
  }

  /** Keys evicted to make room for new keys since creation: non-zero means the cap was reached. */
  public long evictions() {
    return evictions;
  }

  /** Keys dropped as idle by {@link #expire} or {@link #removeIf} since creation. */
  public long expirations() {
    return expirations;
  }

  private void promote(K key, V value) {
    if (protectedCapacity == 0) {
      probation.put(key, value);
      return;
    }
    protectedKeys.put(key, value);
    if (protectedKeys.size() > protectedCapacity) {
      Iterator<Map.Entry<K, V>> eldest = protectedKeys.entrySet().iterator();
      Map.Entry<K, V> demoted = eldest.next();
      eldest.remove();
      probation.put(demoted.getKey(), demoted.getValue());
    }
  }

  private void insert(K key, V value) {
    if (size() >= capacity) {
      // probation is never empty here: protected holds at most 80% of the capacity
      Iterator<Map.Entry<K, V>> eldest = (probation.isEmpty() ? protectedKeys : probation).entrySet().iterator();
      Map.Entry<K, V> evicted = eldest.next();
      eldest.remove();
      evictions++;
      onRemoval.accept(evicted.getKey(), evicted.getValue());
    }
    probation.put(key, value);
  }

  private int expireEldest(LinkedHashMap<K, V> segment, BiPredicate<? super K, ? super V> idle) {
    int n = 0;
    Iterator<Map.Entry<K, V>> it = segment.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<K, V> e = it.next();
      if (!idle.test(e.getKey(), e.getValue())) {
        break;
      }
      it.remove();
      n++;
      onRemoval.accept(e.getKey(), e.getValue());
    }
    return n;
  }

  private int removeIf(LinkedHashMap<K, V> segment, BiPredicate<? super K, ? super V> filter) {
    int n = 0;
    Iterator<Map.Entry<K, V>> it = segment.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<K, V> e = it.next();
      if (filter.test(e.getKey(), e.getValue())) {
        it.remove();
        n++;
        onRemoval.accept(e.getKey(), e.getValue());
      }
    }
    return n;
  }

  @Override
  public String toString() {
    return "BoundedKeyedState[size=" + size() + ", protected=" + protectedKeys.size() + ", capacity=" + capacity
        + ", evictions=" + evictions + ", expirations=" + expirations + "]";
  }
}

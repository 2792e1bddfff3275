package dev.sreagent.api.state;

import dev.sreagent.api.Require;
import java.util.AbstractCollection;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
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
 * key it removes. The index is a {@link HashMap} (so keys that collide on purpose degrade to O(log n) lookups, not
 * O(n)); the key object stored is the one first inserted. Memory: about 64 bytes per key beside the key and its state
 * (a hash entry and a node of the use-order lists). Not thread-safe: the owner serialises access (the agent's loop
 * thread does); nothing may modify the structure while it is iterated.
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
  private final HashMap<K, Node<K, V>> index = new HashMap<>();
  /** Keys seen once (or demoted). */
  private final Segment<K, V> probation = new Segment<>();
  /** Keys used again while on probation. */
  private final Segment<K, V> protectedKeys = new Segment<>();
  private long evictions;
  private long expirations;

  /** A key with its state and its neighbours in its segment's use order. */
  private static final class Node<K, V> {
    final K key;
    V value;
    @Nullable Node<K, V> older;
    @Nullable Node<K, V> newer;
    boolean isProtected;

    Node(K key, V value) {
      this.key = key;
      this.value = value;
    }
  }

  /** A list of nodes in use order, least recently used first. */
  private static final class Segment<K, V> {
    @Nullable Node<K, V> eldest;
    @Nullable Node<K, V> newest;
    int size;

    void addNewest(Node<K, V> n) {
      n.older = newest;
      n.newer = null;
      if (newest == null) {
        eldest = n;
      } else {
        newest.newer = n;
      }
      newest = n;
      size++;
    }

    void unlink(Node<K, V> n) {
      if (n.older == null) {
        eldest = n.newer;
      } else {
        n.older.newer = n.newer;
      }
      if (n.newer == null) {
        newest = n.older;
      } else {
        n.newer.older = n.older;
      }
      n.older = null;
      n.newer = null;
      size--;
    }
  }

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
    this.capacity = Require.atLeast(capacity, 1, "capacity");
    this.protectedCapacity = (int) (capacity * PROTECTED_SHARE);
    this.onRemoval = Objects.requireNonNull(onRemoval, "onRemoval");
  }

  /** The state of {@code key}, or null; a use of the key (it may move to the protected segment). */
  public @Nullable V get(K key) {
    Node<K, V> n = index.get(key);
    if (n == null) {
      return null;
    }
    use(n);
    return n.value;
  }

  /** The state of {@code key}, or null; not a use of the key (for reads that should not keep a key alive). */
  public @Nullable V peek(K key) {
    Node<K, V> n = index.get(key);
    return n == null ? null : n.value;
  }

  /**
   * The state of {@code key}, created with {@code create} when there is none (which may evict the idlest key on
   * probation); a use of the key. {@code create} must not modify this structure and must not return null.
   */
  public V computeIfAbsent(K key, Function<? super K, ? extends V> create) {
    Node<K, V> n = index.get(key);
    if (n != null) {
      use(n);
      return n.value;
    }
    V created = Objects.requireNonNull(create.apply(key), "create returned null");
    insert(key, created);
    return created;
  }

  /** Sets the state of {@code key} (a use of the key); returns the previous state, or null for a new key. */
  public @Nullable V put(K key, V value) {
    Objects.requireNonNull(value, "value");
    Node<K, V> n = index.get(key);
    if (n == null) {
      insert(key, value);
      return null;
    }
    V old = n.value;
    n.value = value;
    use(n);
    return old;
  }

  /** Whether {@code key} has state; not a use of the key. */
  public boolean containsKey(K key) {
    return index.containsKey(key);
  }

  /** Removes {@code key}; returns its state, or null. Not counted, not reported to the removal listener. */
  public @Nullable V remove(K key) {
    Node<K, V> n = index.remove(key);
    if (n == null) {
      return null;
    }
    segmentOf(n).unlink(n);
    return n.value;
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

  private int expireEldest(Segment<K, V> segment, BiPredicate<? super K, ? super V> idle) {
    int n = 0;
    Node<K, V> eldest;
    while ((eldest = segment.eldest) != null && idle.test(eldest.key, eldest.value)) {
      drop(eldest);
      n++;
    }
    return n;
  }

  /** Drops every key for which {@code filter} holds, O(size); counted in {@link #expirations()}. */
  public int removeIf(BiPredicate<? super K, ? super V> filter) {
    int n = 0;
    for (Segment<K, V> segment : List.of(probation, protectedKeys)) {
      Node<K, V> next;
      for (Node<K, V> x = segment.eldest; x != null; x = next) {
        next = x.newer;
        if (filter.test(x.key, x.value)) {
          drop(x);
          n++;
        }
      }
    }
    expirations += n;
    return n;
  }

  /** Calls {@code action} for every key and its state, protected keys first, each segment least recently used first. */
  public void forEach(BiConsumer<? super K, ? super V> action) {
    for (Segment<K, V> segment : List.of(protectedKeys, probation)) {
      for (Node<K, V> x = segment.eldest; x != null; x = x.newer) {
        action.accept(x.key, x.value);
      }
    }
  }

  /**
   * Whether {@code key} is held in the protected segment (it was used again while on probation); false for a key on
   * probation or not held. Not a use of the key. With {@link #forEach} and {@link #restore} it lets an owner
   * snapshot and rebuild this structure exactly, use order included.
   */
  public boolean isProtected(K key) {
    Node<K, V> n = index.get(key);
    return n != null && n.isProtected;
  }

  /**
   * Adds {@code key} as the most recently used key of the protected segment ({@code protectedSegment}) or of
   * probation, without counting a use: called for each key in {@link #forEach} order (with {@link #isProtected}) on
   * an empty structure, it rebuilds a snapshot with the same use order, so that evictions and expiry go on exactly as
   * they would have.
   *
   * @throws IllegalArgumentException when {@code key} is already held, or the structure (or its protected segment)
   *     is full
   */
  public void restore(K key, V value, boolean protectedSegment) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (index.containsKey(key)) {
      throw new IllegalArgumentException("key " + key + " is restored twice; a snapshot holds each key once");
    }
    if (index.size() >= capacity) {
      throw new IllegalArgumentException("cannot restore key " + key + ": " + capacity + " keys are held, the"
          + " capacity; the snapshot was taken with a larger capacity");
    }
    if (protectedSegment && protectedKeys.size >= protectedCapacity) {
      throw new IllegalArgumentException("cannot restore key " + key + " as protected: " + protectedKeys.size
          + " protected keys are held, the protected capacity; the snapshot was taken with a larger capacity");
    }
    Node<K, V> n = new Node<>(key, value);
    n.isProtected = protectedSegment;
    index.put(key, n);
    segmentOf(n).addNewest(n);
  }

  /** A read-only view of the states, in the order of {@link #forEach}; iterating is not a use of the keys. */
  public Collection<V> values() {
    return new AbstractCollection<>() {
      @Override
      public Iterator<V> iterator() {
        return new Iterator<>() {
          private @Nullable Node<K, V> next = protectedKeys.eldest != null ? protectedKeys.eldest : probation.eldest;

          @Override
          public boolean hasNext() {
            return next != null;
          }

          @Override
          public V next() {
            Node<K, V> n = next;
            if (n == null) {
              throw new NoSuchElementException();
            }
            next = n.newer != null ? n.newer : n.isProtected ? probation.eldest : null;
            return n.value;
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
    return index.size();
  }

  /** Keys that were used again while on probation and are held in the protected segment now. */
  public int protectedSize() {
    return protectedKeys.size;
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

  private Segment<K, V> segmentOf(Node<K, V> n) {
    return n.isProtected ? protectedKeys : probation;
  }

  /** A use: the newest of the protected segment, promoted there from probation if need be. */
  private void use(Node<K, V> n) {
    if (n.isProtected) {
      if (protectedKeys.newest != n) {
        protectedKeys.unlink(n);
        protectedKeys.addNewest(n);
      }
      return;
    }
    probation.unlink(n);
    if (protectedCapacity == 0) {
      probation.addNewest(n);
      return;
    }
    n.isProtected = true;
    protectedKeys.addNewest(n);
    if (protectedKeys.size > protectedCapacity) {
      Node<K, V> demoted = Objects.requireNonNull(protectedKeys.eldest);
      protectedKeys.unlink(demoted);
      demoted.isProtected = false;
      probation.addNewest(demoted);
    }
  }

  private void insert(K key, V value) {
    if (index.size() >= capacity) {
      // probation is never empty here: protected holds at most 80% of the capacity
      Node<K, V> victim = Objects.requireNonNull(probation.eldest != null ? probation.eldest : protectedKeys.eldest);
      drop(victim);
      evictions++;
    }
    Node<K, V> n = new Node<>(key, value);
    index.put(key, n);
    probation.addNewest(n);
  }

  private void drop(Node<K, V> n) {
    index.remove(n.key);
    segmentOf(n).unlink(n);
    onRemoval.accept(n.key, n.value);
  }

  @Override
  public String toString() {
    return "BoundedKeyedState[size=" + size() + ", protected=" + protectedKeys.size + ", capacity=" + capacity
        + ", evictions=" + evictions + ", expirations=" + expirations + "]";
  }
}

package dev.sreagent.api.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class BoundedKeyedStateProperties {
  enum Op { GET, PEEK, PUT, COMPUTE, REMOVE, EXPIRE, REMOVE_IF }

  record Step(Op op, int key) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Step> step = Combinators.combine(Arbitraries.of(Op.class), Arbitraries.integers().between(0, 60))
        .as(Step::new);
    return step.list().ofMaxSize(400);
  }

  /** Size and protected share never exceed the caps, and every new key is either held or accounted for. */
  @Property
  void neverHoldsMoreThanItsCapacityAndEveryKeyIsAccountedFor(@ForAll @IntRange(min = 1, max = 40) int capacity,
      @ForAll("steps") List<Step> steps) {
    List<Integer> reported = new ArrayList<>();
    BoundedKeyedState<Integer, Integer> s = new BoundedKeyedState<>(capacity, (k, v) -> reported.add(k));
    long added = 0;
    long removedByCaller = 0;
    for (Step st : steps) {
      switch (st.op()) {
        case GET -> s.get(st.key());
        case PEEK -> s.peek(st.key());
        case PUT -> added += s.put(st.key(), st.key()) == null ? 1 : 0;
        case COMPUTE -> {
          boolean had = s.containsKey(st.key());
          s.computeIfAbsent(st.key(), k -> k);
          added += had ? 0 : 1;
        }
        case REMOVE -> removedByCaller += s.remove(st.key()) == null ? 0 : 1;
        case EXPIRE -> s.expire((k, v) -> k % 3 == st.key() % 3);
        case REMOVE_IF -> s.removeIf((k, v) -> k % 7 == st.key() % 7);
      }
      assertThat(s.size()).isLessThanOrEqualTo(capacity);
      assertThat(s.protectedSize()).isLessThanOrEqualTo((int) (capacity * BoundedKeyedState.PROTECTED_SHARE));
      assertThat(added).isEqualTo(s.size() + s.evictions() + s.expirations() + removedByCaller);
      assertThat(reported).hasSize((int) (s.evictions() + s.expirations()));
    }
  }

  /**
   * A copy rebuilt with {@code forEach}, {@code isProtected} and {@code restore} (what a detector's snapshot does)
   * goes on exactly as the original: the same keys in the same order, the same evictions, under any further steps.
   */
  @Property
  void aRestoredCopyBehavesExactlyAsTheOriginal(@ForAll @IntRange(min = 1, max = 40) int capacity,
      @ForAll("steps") List<Step> before, @ForAll("steps") List<Step> after) {
    BoundedKeyedState<Integer, Integer> original = new BoundedKeyedState<>(capacity);
    apply(original, before);
    BoundedKeyedState<Integer, Integer> copy = new BoundedKeyedState<>(capacity);
    original.forEach((k, v) -> copy.restore(k, v, original.isProtected(k)));
    assertThat(order(copy)).isEqualTo(order(original));
    long evictionsBefore = original.evictions();
    apply(original, after);
    apply(copy, after);
    assertThat(order(copy)).isEqualTo(order(original));
    assertThat(copy.evictions()).isEqualTo(original.evictions() - evictionsBefore);
  }

  private static void apply(BoundedKeyedState<Integer, Integer> s, List<Step> steps) {
    for (Step st : steps) {
      switch (st.op()) {
        case GET -> s.get(st.key());
        case PEEK -> s.peek(st.key());
        case PUT -> s.put(st.key(), st.key());
        case COMPUTE -> s.computeIfAbsent(st.key(), k -> k);
        case REMOVE -> s.remove(st.key());
        case EXPIRE -> s.expire((k, v) -> k % 3 == st.key() % 3);
        case REMOVE_IF -> s.removeIf((k, v) -> k % 7 == st.key() % 7);
      }
    }
  }

  private static List<String> order(BoundedKeyedState<Integer, Integer> s) {
    List<String> out = new ArrayList<>();
    s.forEach((k, v) -> out.add(k + (s.isProtected(k) ? "p" : "") + "=" + v));
    return out;
  }

  /**
   * Keys used twice and then now and then survive any burst of keys seen once, however long and however the uses
   * and the bursts interleave: one-off keys churn through probation only.
   */
  @Property(tries = 300)
  void keysInRegularUseSurviveAnyBurstOfOneOffKeys(@ForAll @IntRange(min = 2, max = 300) int capacity,
      @ForAll @IntRange(min = 1, max = 1000) int liveSeed,
      @ForAll @Size(max = 30) List<@IntRange(min = 0, max = 3000) Integer> bursts,
      @ForAll long useSeed) {
    int live = 1 + liveSeed % Math.max(1, (int) (capacity * BoundedKeyedState.PROTECTED_SHARE));
    Set<String> evicted = new HashSet<>();
    BoundedKeyedState<String, Integer> s = new BoundedKeyedState<>(capacity, (k, v) -> evicted.add(k));
    for (int i = 0; i < live; i++) {
      s.computeIfAbsent("live-" + i, k -> 0);
      s.computeIfAbsent("live-" + i, k -> 0);
    }
    java.util.Random uses = new java.util.Random(useSeed);
    int junk = 0;
    for (int burst : bursts) {
      for (int i = 0; i < burst; i++) {
        s.computeIfAbsent("junk-" + junk++, k -> 0);
        if (uses.nextInt(50) == 0) {
          s.get("live-" + uses.nextInt(live));
        }
      }
      for (int i = 0; i < live; i++) {
        assertThat(s.containsKey("live-" + i)).as("live-%d after %d one-off keys", i, junk).isTrue();
      }
    }
    assertThat(evicted).noneMatch(k -> k.startsWith("live-"));
    assertThat(s.size()).isLessThanOrEqualTo(capacity);
  }

  /** A segmented LRU written the obvious way, on two access-ordered {@link LinkedHashMap}s: the model to agree with. */
  private static final class ModelSlru {
    final int capacity;
    final int protectedCapacity;
    final LinkedHashMap<Integer, Integer> probation = new LinkedHashMap<>(16, 0.75f, true);
    final LinkedHashMap<Integer, Integer> protectedKeys = new LinkedHashMap<>(16, 0.75f, true);
    final List<Integer> removed = new ArrayList<>();
    long evictions;

    ModelSlru(int capacity) {
      this.capacity = capacity;
      this.protectedCapacity = (int) (capacity * BoundedKeyedState.PROTECTED_SHARE);
    }

    Integer get(int k) {
      Integer v = protectedKeys.get(k);
      if (v != null) {
        return v;
      }
      v = probation.remove(k);
      if (v != null) {
        promote(k, v);
      }
      return v;
    }

    void promote(int k, int v) {
      if (protectedCapacity == 0) {
        probation.put(k, v);
        return;
      }
      protectedKeys.put(k, v);
      if (protectedKeys.size() > protectedCapacity) {
        Integer eldest = protectedKeys.keySet().iterator().next();
        probation.put(eldest, protectedKeys.remove(eldest));
      }
    }

    void put(int k, int v) {
      if (get(k) != null) {
        (protectedKeys.containsKey(k) ? protectedKeys : probation).put(k, v);
        return;
      }
      if (probation.size() + protectedKeys.size() >= capacity) {
        LinkedHashMap<Integer, Integer> from = probation.isEmpty() ? protectedKeys : probation;
        Integer eldest = from.keySet().iterator().next();
        from.remove(eldest);
        removed.add(eldest);
        evictions++;
      }
      probation.put(k, v);
    }

    void remove(int k) {
      if (protectedKeys.remove(k) == null) {
        probation.remove(k);
      }
    }

    void expire(java.util.function.IntPredicate idle) {
      for (LinkedHashMap<Integer, Integer> segment : List.of(probation, protectedKeys)) {
        while (!segment.isEmpty() && idle.test(segment.keySet().iterator().next())) {
          Integer eldest = segment.keySet().iterator().next();
          segment.remove(eldest);
          removed.add(eldest);
        }
      }
    }

    void removeIf(java.util.function.IntPredicate filter) {
      for (LinkedHashMap<Integer, Integer> segment : List.of(probation, protectedKeys)) {
        for (Integer k : new ArrayList<>(segment.keySet())) {
          if (filter.test(k)) {
            segment.remove(k);
            removed.add(k);
          }
        }
      }
    }

    List<Integer> keys() {
      List<Integer> out = new ArrayList<>(protectedKeys.keySet());
      out.addAll(probation.keySet());
      return out;
    }
  }

  /** Every operation leaves the same keys in the same order, evicts the same keys and reports the same removals. */
  @Property
  void agreesWithTheModel(@ForAll @IntRange(min = 1, max = 40) int capacity, @ForAll("steps") List<Step> steps) {
    ModelSlru model = new ModelSlru(capacity);
    List<Integer> removed = new ArrayList<>();
    BoundedKeyedState<Integer, Integer> s = new BoundedKeyedState<>(capacity, (k, v) -> removed.add(k));
    for (Step st : steps) {
      int k = st.key();
      switch (st.op()) {
        case GET -> assertThat(s.get(k)).isEqualTo(model.get(k));
        case PEEK -> assertThat(s.peek(k)).isEqualTo(model.keys().contains(k) ? k : null);
        case PUT -> {
          s.put(k, k);
          model.put(k, k);
        }
        case COMPUTE -> {
          s.computeIfAbsent(k, x -> x);
          model.put(k, k);
        }
        case REMOVE -> {
          s.remove(k);
          model.remove(k);
        }
        case EXPIRE -> {
          s.expire((x, v) -> x % 3 == k % 3);
          model.expire(x -> x % 3 == k % 3);
        }
        case REMOVE_IF -> {
          s.removeIf((x, v) -> x % 7 == k % 7);
          model.removeIf(x -> x % 7 == k % 7);
        }
      }
      List<Integer> keys = new ArrayList<>();
      s.forEach((x, v) -> keys.add(x));
      assertThat(keys).as("keys after %s", st).isEqualTo(model.keys());
      assertThat(new ArrayList<>(s.values())).isEqualTo(model.keys());
      assertThat(removed).isEqualTo(model.removed);
      assertThat(s.evictions()).isEqualTo(model.evictions);
    }
  }

  /** The same uses give the same keys in the same order and the same counts: simulations replay bit for bit. */
  @Property
  void isDeterministic(@ForAll @IntRange(min = 1, max = 30) int capacity, @ForAll("steps") List<Step> steps) {
    assertThat(run(capacity, steps)).isEqualTo(run(capacity, steps));
  }

  private static List<Object> run(int capacity, List<Step> steps) {
    BoundedKeyedState<Integer, Integer> s = new BoundedKeyedState<>(capacity);
    for (Step st : steps) {
      switch (st.op()) {
        case GET -> s.get(st.key());
        case PEEK -> s.peek(st.key());
        case PUT -> s.put(st.key(), st.key());
        case COMPUTE -> s.computeIfAbsent(st.key(), k -> k);
        case REMOVE -> s.remove(st.key());
        case EXPIRE -> s.expire((k, v) -> k % 3 == st.key() % 3);
        case REMOVE_IF -> s.removeIf((k, v) -> k % 7 == st.key() % 7);
      }
    }
    List<Object> out = new ArrayList<>();
    s.forEach((k, v) -> out.add(k));
    out.add(s.evictions());
    out.add(s.expirations());
    return out;
  }
}

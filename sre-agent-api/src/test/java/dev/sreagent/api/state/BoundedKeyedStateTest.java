package dev.sreagent.api.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoundedKeyedStateTest {
  private static List<String> keys(BoundedKeyedState<String, Integer> s) {
    List<String> out = new ArrayList<>();
    s.forEach((k, v) -> out.add(k));
    return out;
  }

  @Test
  void aNewKeyTakesThePlaceOfTheLeastRecentlyUsedKeyOnProbation() {
    List<String> removed = new ArrayList<>();
    BoundedKeyedState<String, Integer> s = new BoundedKeyedState<>(5, (k, v) -> removed.add(k));
    for (String k : List.of("a", "b", "c", "d", "e")) {
      s.put(k, 1);
    }
    s.put("f", 1);
    assertThat(removed).containsExactly("a");
    assertThat(s.size()).isEqualTo(5);
    assertThat(s.evictions()).isEqualTo(1);
    assertThat(s.containsKey("a")).isFalse();
  }

  @Test
  void aKeyUsedAgainIsProtectedFromAnyNumberOfNewKeys() {
    BoundedKeyedState<String, Integer> s = new BoundedKeyedState<>(5);
    s.put("live", 1);
    assertThat(s.get("live")).isEqualTo(1);
    assertThat(s.protectedSize()).isEqualTo(1);
    for (int i = 0; i < 10_000; i++) {
      s.computeIfAbsent("junk-" + i, k -> 0);
    }
    assertThat(s.containsKey("live")).isTrue();
    assertThat(s.size()).isEqualTo(5);
    assertThat(s.evictions()).isEqualTo(10_000 - 4);
  }

  @Test
  void aFullProtectedSegmentSendsItsLeastRecentlyUsedKeyBackToProbation() {
    List<String> removed = new ArrayList<>();
    BoundedKeyedState<String, Integer> s = new BoundedKeyedState<>(5, (k, v) -> removed.add(k));
    for (String k : List.of("a", "b", "c", "d", "e")) {
      s.put(k, 1);
      s.get(k);
    }
    assertThat(s.protectedSize()).isEqualTo(4); // 80% of 5: "a" went back to probation
    s.put("f", 1);
    assertThat(removed).containsExactly("a");
    assertThat(keys(s)).containsExactly("b", "c", "d", "e", "f");
  }

  @Test
  void expireDropsIdleKeysFromTheEldestEndAndStopsAtTheFirstKeyInUse() {
    List<String> removed = new ArrayList<>();
    BoundedKeyedState<String, Integer> s = new BoundedKeyedState<>(10, (k, v) -> removed.add(k));
    s.put("old", 1);
    s.put("new", 5);
    s.put("older-but-used-later", 0);
    int n = s.expire((k, v) -> v < 3);
    assertThat(n).isEqualTo(1);
    assertThat(removed).containsExactly("old");
    assertThat(s.expirations()).isEqualTo(1);
    assertThat(s.removeIf((k, v) -> v < 3)).isEqualTo(1);
    assertThat(keys(s)).containsExactly("new");
    assertThat(s.evictions()).isZero();
  }

  @Test
  void peekIsNotAUseAndKeepsAKeyOnProbation() {
    BoundedKeyedState<String, Integer> s = new BoundedKeyedState<>(5);
    s.put("read-only", 1);
    for (int i = 0; i < 10; i++) {
      assertThat(s.peek("read-only")).isEqualTo(1);
    }
    assertThat(s.protectedSize()).isZero();
    for (int i = 0; i < 5; i++) {
      s.put("new-" + i, 0);
    }
    assertThat(s.peek("read-only")).isNull();
  }

  @Test
  void theKeyFirstInsertedIsTheOneKept() {
    BoundedKeyedState<String, Integer> s = new BoundedKeyedState<>(5);
    String first = new String("series");
    s.put(first, 1);
    s.get(new String("series")); // promoted with an equal key
    s.put(new String("series"), 2);
    s.forEach((k, v) -> assertThat(k).isSameAs(first));
  }

  @Test
  void removeIsNeitherCountedNorReported() {
    List<String> removed = new ArrayList<>();
    BoundedKeyedState<String, Integer> s = new BoundedKeyedState<>(3, (k, v) -> removed.add(k));
    s.put("a", 7);
    assertThat(s.remove("a")).isEqualTo(7);
    assertThat(s.remove("a")).isNull();
    assertThat(removed).isEmpty();
    assertThat(s.evictions() + s.expirations()).isZero();
  }

  @Test
  void putReplacesAndReturnsThePreviousState() {
    BoundedKeyedState<String, Integer> s = new BoundedKeyedState<>(3);
    assertThat(s.put("a", 1)).isNull();
    assertThat(s.put("a", 2)).isEqualTo(1);
    assertThat(s.put("a", 3)).isEqualTo(2);
    assertThat(s.get("a")).isEqualTo(3);
    assertThat(s.size()).isEqualTo(1);
  }

  @Test
  void aCapacityOfOneKeepsTheLatestKey() {
    BoundedKeyedState<String, Integer> s = new BoundedKeyedState<>(1);
    s.put("a", 1);
    s.get("a");
    s.put("b", 2);
    assertThat(keys(s)).containsExactly("b");
    assertThat(s.evictions()).isEqualTo(1);
  }

  @Test
  void valuesIsAReadOnlyViewInForEachOrder() {
    BoundedKeyedState<String, Integer> s = new BoundedKeyedState<>(10);
    s.put("a", 1);
    s.put("b", 2);
    s.get("b");
    assertThat(s.values()).containsExactly(2, 1).hasSize(2);
    assertThatThrownBy(() -> s.values().iterator().remove()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.values().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void refusesAnEmptyCapacityAndNullStates() {
    assertThatThrownBy(() -> new BoundedKeyedState<String, Integer>(0))
        .hasMessage("capacity must be >= 1, but was 0");
    BoundedKeyedState<String, Integer> s = new BoundedKeyedState<>(2);
    assertThatThrownBy(() -> s.computeIfAbsent("a", k -> null)).hasMessage("create returned null");
    assertThat(s.size()).isZero();
  }
}

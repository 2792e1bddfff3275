package dev.sreagent.api.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The invariants of rendezvous hashing that sharding relies on. */
class ShardAssignmentProperties {

  @Provide
  Arbitrary<Set<String>> members() {
    return Arbitraries.strings().alpha().numeric().withChars('-').ofMinLength(1).ofMaxLength(12)
        .set().ofMinSize(1).ofMaxSize(8);
  }

  @Provide
  Arbitrary<List<String>> services() {
    return Arbitraries.strings().alpha().numeric().withChars('-', '.').ofMinLength(1).ofMaxLength(20)
        .list().ofMinSize(1).ofMaxSize(50);
  }

  @Property
  void everyServiceHasExactlyOneLiveOwnerWhateverTheOrderOfTheMembers(@ForAll("members") Set<String> members,
      @ForAll("services") List<String> services) {
    List<String> shuffled = new ArrayList<>(members);
    Collections.reverse(shuffled);
    for (String s : services) {
      String owner = ShardAssignment.owner(s, members).orElseThrow();
      assertThat(members).contains(owner);
      assertThat(ShardAssignment.owner(s, shuffled)).contains(owner);
      long owners = members.stream().filter(m -> new FixedMembership(m, members).owns(s)).count();
      assertThat(owners).as("members that believe they own " + s).isEqualTo(1);
    }
  }

  @Property
  void removingAMemberMovesOnlyItsServices(@ForAll("members") Set<String> members,
      @ForAll("services") List<String> services, @ForAll @IntRange(min = 0, max = 7) int which) {
    List<String> list = new ArrayList<>(members);
    String gone = list.get(which % list.size());
    Set<String> after = new LinkedHashSet<>(members);
    after.remove(gone);
    for (String s : services) {
      String before = ShardAssignment.owner(s, members).orElseThrow();
      if (after.isEmpty()) {
        assertThat(ShardAssignment.owner(s, after)).isEmpty();
      } else if (before.equals(gone)) {
        assertThat(ShardAssignment.owner(s, after).orElseThrow()).isNotEqualTo(gone);
      } else {
        assertThat(ShardAssignment.owner(s, after)).as(s + " stays with " + before).contains(before);
      }
    }
  }

  @Property
  void aJoiningMemberTakesServicesOnlyForItself(@ForAll("members") Set<String> members,
      @ForAll("services") List<String> services) {
    String joining = "joining-" + members.size();
    Set<String> after = new LinkedHashSet<>(members);
    after.add(joining);
    for (String s : services) {
      String now = ShardAssignment.owner(s, after).orElseThrow();
      assertThat(now).isIn(ShardAssignment.owner(s, members).orElseThrow(), joining);
    }
  }

  @Property(tries = 200)
  void aThousandServicesAreBalancedWithinHalfAFairShare(@ForAll @IntRange(min = 2, max = 8) int n,
      @ForAll @IntRange(min = 0, max = 1_000_000) int salt) {
    List<String> members = IntStream.range(0, n).mapToObj(i -> "agent-" + salt + "-" + i).toList();
    Map<String, Integer> owned = new HashMap<>();
    for (int i = 0; i < 1000; i++) {
      owned.merge(ShardAssignment.owner("svc-" + salt + "-" + i, members).orElseThrow(), 1, Integer::sum);
    }
    double fair = 1000.0 / n;
    for (String m : members) {
      assertThat(owned.getOrDefault(m, 0)).as(m + " of " + owned).isBetween((int) Math.ceil(fair * 0.5),
          (int) Math.floor(fair * 1.5));
    }
  }

  @Example
  void noLiveMemberMeansNoOwnerAndASessionLossMeansOwningNothing() {
    assertThat(ShardAssignment.owner("checkout", List.of())).isEmpty();
    assertThat(new FixedMembership("a", Set.of()).owns("checkout")).isFalse();
    assertThat(new FixedMembership("a", Set.of()).ownerOf("checkout")).isEqualTo("(none)");
    // "a" lost its registration; the others still own their share and "a" owns nothing, whatever the hash says
    Set<String> others = Set.of("b", "c");
    for (int i = 0; i < 100; i++) {
      assertThat(new FixedMembership("a", others).owns("svc-" + i)).isFalse();
    }
  }

  @Example
  void blankNamesAreRefusedNamingTheField() {
    assertThatThrownBy(() -> ShardAssignment.owner(" ", List.of("a"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("service");
    assertThatThrownBy(() -> ShardAssignment.owner("checkout", List.of("a", ""))).isInstanceOf(
        IllegalArgumentException.class).hasMessageContaining("member id");
  }

  /** A membership with a fixed live set. */
  private record FixedMembership(String self, Set<String> liveMembers) implements ShardMembership {
    @Override
    public void addListener(Listener listener) {
    }
  }
}

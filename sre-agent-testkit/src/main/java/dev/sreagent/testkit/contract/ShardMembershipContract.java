package dev.sreagent.testkit.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sreagent.api.shard.ShardAssignment;
import dev.sreagent.api.shard.ShardMembership;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ShardMembership} promises: members that joined one group see the same live set; each service has
 * exactly one owner among them; when a member dies, the survivors see it gone and only its services move (to
 * survivors); the listeners are told; an id that is live already is refused.
 *
 * <p>Each test method runs on a fresh instance: an implementation on a real server gives each instance a group of
 * its own (a fresh key prefix). Changes made on a real server reach the members on their own schedule: such an
 * implementation overrides {@link #eventually} to poll until a deadline.
 */
public abstract class ShardMembershipContract {
  private static final List<String> SERVICES = IntStream.range(0, 200).mapToObj(i -> "svc-" + i).toList();

  /** Registers a member with {@code id} in this instance's group. */
  protected abstract ShardMembership join(String id) throws Exception;

  /**
   * {@code member} dies: its process stops without a goodbye (an in-memory group takes it out; a real server's
   * implementation drops its registration the way a dead process's would end, e.g. revokes its lease).
   */
  protected abstract void kill(ShardMembership member) throws Exception;

  /**
   * Whether {@code condition} holds; an in-memory group changes at once, so the default checks once. A real
   * server's implementation polls until a deadline of its choosing.
   */
  protected boolean eventually(BooleanSupplier condition) throws InterruptedException {
    return condition.getAsBoolean();
  }

  @Test
  void membersOfOneGroupSeeTheSameLiveSetItselfIncluded() throws Exception {
    List<ShardMembership> all = List.of(join("a"), join("b"), join("c"));
    for (ShardMembership m : all) {
      assertTrue(eventually(() -> m.liveMembers().equals(Set.of("a", "b", "c"))),
          m.self() + " sees " + m.liveMembers() + ", not [a, b, c]");
    }
    assertEquals(List.of("a", "b", "c"), all.stream().map(ShardMembership::self).toList());
  }

  @Test
  void everyServiceHasExactlyOneOwnerAndEachMemberSomeOfThem() throws Exception {
    List<ShardMembership> all = List.of(join("a"), join("b"), join("c"));
    for (ShardMembership m : all) {
      assertTrue(eventually(() -> m.liveMembers().size() == 3), m.self() + " sees " + m.liveMembers());
    }
    Map<String, Long> share = new java.util.HashMap<>();
    for (String s : SERVICES) {
      List<String> owners = all.stream().filter(m -> m.owns(s)).map(ShardMembership::self).toList();
      assertEquals(1, owners.size(), s + " is owned by " + owners);
      assertEquals(owners.get(0), all.get(0).ownerOf(s));
      share.merge(owners.get(0), 1L, Long::sum);
    }
    assertEquals(Set.of("a", "b", "c"), share.keySet(), "every member owns some of 200 services: " + share);
  }

  @Test
  void aDeadMembersServicesMoveToTheSurvivorsAndNothingElseMoves() throws Exception {
    ShardMembership a = join("a");
    ShardMembership b = join("b");
    ShardMembership c = join("c");
    for (ShardMembership m : List.of(a, b, c)) {
      assertTrue(eventually(() -> m.liveMembers().size() == 3), m.self() + " sees " + m.liveMembers());
    }
    Map<String, String> before = SERVICES.stream().collect(Collectors.toMap(s -> s, a::ownerOf));
    List<Set<String>> told = new CopyOnWriteArrayList<>();
    a.addListener(told::add);

    kill(b);

    for (ShardMembership m : List.of(a, c)) {
      assertTrue(eventually(() -> m.liveMembers().equals(Set.of("a", "c"))),
          m.self() + " sees " + m.liveMembers() + " after b died, not [a, c]");
    }
    assertTrue(eventually(() -> !told.isEmpty() && told.get(told.size() - 1).equals(Set.of("a", "c"))),
        "a's listener was told " + told);
    List<String> moved = new ArrayList<>();
    for (String s : SERVICES) {
      List<String> owners = List.of(a, c).stream().filter(m -> m.owns(s)).map(ShardMembership::self).toList();
      assertEquals(1, owners.size(), s + " is owned by " + owners + " after b died");
      if (before.get(s).equals("b")) {
        moved.add(s);
      } else {
        assertEquals(before.get(s), owners.get(0), s + " moved though its owner lives");
      }
    }
    assertFalse(moved.isEmpty(), "b owned none of 200 services: " + before);
    assertEquals(ShardAssignment.owner("svc-0", Set.of("a", "c")).orElseThrow(), a.ownerOf("svc-0"));
  }

  @Test
  void anIdThatIsLiveAlreadyIsRefusedNamingIt() throws Exception {
    ShardMembership a = join("a");
    assertTrue(eventually(() -> a.liveMembers().contains("a")), "a sees " + a.liveMembers());
    Exception e = assertThrows(Exception.class, () -> join("a"));
    assertTrue(String.valueOf(e.getMessage()).contains("'a'"), "the error names the id: " + e.getMessage());
  }
}

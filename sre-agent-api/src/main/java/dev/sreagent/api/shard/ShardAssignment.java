package dev.sreagent.api.shard;

import dev.sreagent.api.Require;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;

/**
 * Which live member owns a service: rendezvous (highest random weight) hashing. Every member scores every service
 * with a 64-bit hash of the pair; the member with the highest score owns it (ties, which need a 64-bit collision, go
 * to the smaller member id). Deterministic: every agent that sees the same live members computes the same owner,
 * with no coordination beyond agreeing on the member set.
 *
 * <p>Properties (tested with jqwik in {@code ShardAssignmentProperties}):
 *
 * <ul>
 *   <li>every service has exactly one owner, and it is one of the live members;
 *   <li>when a member leaves, only the services it owned move; every other service keeps its owner (and when a
 *       member joins, services move only to it);
 *   <li>balance: over 1,000 services and 2 to 8 members, every member owns between half and one and a half times
 *       its fair share ({@code 1000 / members}).
 * </ul>
 *
 * <p>The hash is FNV-1a over the UTF-8 bytes of {@code member + '\0' + service}, finished with MurmurHash3's 64-bit
 * mixer: stable across JVMs, versions and platforms (unlike {@code String.hashCode}'s weak spread on similar names).
 */
public final class ShardAssignment {
  private ShardAssignment() {}

  /**
   * The owner of {@code service} among {@code liveMembers}, or empty when there are none.
   *
   * @throws IllegalArgumentException when {@code service} or a member id is blank
   */
  public static Optional<String> owner(String service, Collection<String> liveMembers) {
    Require.notBlank(service, "service");
    Objects.requireNonNull(liveMembers, "liveMembers");
    String best = null;
    long bestScore = 0;
    for (String m : liveMembers) {
      Require.notBlank(m, "member id");
      long s = score(m, service);
      if (best == null || Long.compareUnsigned(s, bestScore) > 0
          || (s == bestScore && m.compareTo(best) < 0)) {
        best = m;
        bestScore = s;
      }
    }
    return Optional.ofNullable(best);
  }

  /** The weight of {@code member} for {@code service}: the higher, the more that member wants it. */
  static long score(String member, String service) {
    long h = 0xcbf29ce484222325L;
    for (byte b : (member + '\0' + service).getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}

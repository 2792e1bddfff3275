package dev.sreagent.otel;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cardinality limits: at most {@code maxTenants} tenants, {@code maxSeriesPerTenant} live series per tenant and
 * {@code maxSeriesPerService} per service. A known series is always admitted. A new series at a limit is handled by
 * the {@link OverflowPolicy}: dropped, or (default) admitted in place of the least recently seen series of the
 * tenant if that one has been idle for longer than the idle timeout, so that series of pods that are gone make room
 * for their successors. Memory is bounded by the limits whatever arrives. Thread-safe.
 */
final class SeriesLimiter {
  private final int maxTenants;
  private final int maxSeriesPerTenant;
  private final int maxSeriesPerService;
  private final long idleNanos;
  private final OverflowPolicy policy;
  private final Map<String, Tenant> tenants = new HashMap<>();

  /** One tenant's live series, least recently seen first, with counts per service. */
  private static final class Tenant {
    final LinkedHashMap<String, Long> lastSeen = new LinkedHashMap<>(256, 0.75f, true);
    final Map<String, Integer> perService = new HashMap<>();
  }

  SeriesLimiter(int maxTenants, int maxSeriesPerTenant, int maxSeriesPerService, Duration idle,
      OverflowPolicy policy) {
    this.maxTenants = maxTenants;
    this.maxSeriesPerTenant = maxSeriesPerTenant;
    this.maxSeriesPerService = maxSeriesPerService;
    this.idleNanos = idle.toNanos();
    this.policy = policy;
  }

  /** Whether a tenant may send at all (known, or room for one more). */
  synchronized boolean admitTenant(String tenant) {
    if (tenants.containsKey(tenant)) {
      return true;
    }
    if (tenants.size() >= maxTenants) {
      return false;
    }
    tenants.put(tenant, new Tenant());
    return true;
  }

  /**
   * Whether a sample of {@code series} (of {@code service}) may pass at time {@code nowNanos} (monotonic).
   * The tenant must have been admitted.
   */
  synchronized boolean admit(String tenant, String service, String series, long nowNanos) {
    Tenant t = tenants.get(tenant);
    if (t == null) {
      return false;
    }
    String key = service + '\u0000' + series;
    if (t.lastSeen.containsKey(key)) {
      t.lastSeen.put(key, nowNanos);
      return true;
    }
    int inService = t.perService.getOrDefault(service, 0);
    if (t.lastSeen.size() >= maxSeriesPerTenant || inService >= maxSeriesPerService) {
      if (policy == OverflowPolicy.DROP_NEW || !evictIdle(t, service, inService >= maxSeriesPerService, nowNanos)) {
        return false;
      }
    }
    t.lastSeen.put(key, nowNanos);
    t.perService.merge(service, 1, Integer::sum);
    return true;
  }

  /**
   * Evicts the least recently seen idle series (of {@code service} when the service is the limit that was hit).
   * Looks at a bounded number of the oldest entries so that one admission stays cheap.
   */
  private boolean evictIdle(Tenant t, String service, boolean sameService, long nowNanos) {
    Iterator<Map.Entry<String, Long>> it = t.lastSeen.entrySet().iterator();
    for (int looked = 0; it.hasNext() && looked < 64; looked++) {
      Map.Entry<String, Long> e = it.next();
      if (nowNanos - e.getValue() < idleNanos) {
        return false; // ordered by last use: nothing after this one is idle either
      }
      String owner = e.getKey().substring(0, e.getKey().indexOf('\u0000'));
      if (sameService && !owner.equals(service)) {
        continue;
      }
      it.remove();
      t.perService.computeIfPresent(owner, (k, n) -> n <= 1 ? null : n - 1);
      return true;
    }
    return false;
  }

  /** Live series over all tenants. */
  synchronized int size() {
    int n = 0;
    for (Tenant t : tenants.values()) {
      n += t.lastSeen.size();
    }
    return n;
  }
}

package dev.sreagent.bench;

import dev.sreagent.k8s.KubernetesTopology;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * When an update reached a {@link KubernetesTopology}'s own informers: a handler added to its pod and ReplicaSet
 * informers records, for each updated object, the time its notification was delivered, keyed by
 * {@code kind namespace/name@resourceVersion}.
 *
 * <p>fabric8 updates an informer's cache before it notifies the handlers, and notifies them one after the other in the
 * order they were added; this one is added after the topology started, so when it runs, the topology's cache holds the
 * object and the topology's own handler (the rollout observer, on ReplicaSets) has already run. The topology offers no
 * view of a single pod (its snapshot lists pod names only; a status change never shows in it), so the probe reaches
 * the informers by reflection: private field {@code byNamespace} of {@link KubernetesTopology}, record accessors
 * {@code pods()} and {@code replicaSets()}. A change to those fails {@link #attach} with a message saying so.
 */
final class InformerProbe {
  private final Map<String, Long> arrivals = new ConcurrentHashMap<>();
  private volatile Thread waiter = Thread.currentThread();

  private InformerProbe() {}

  /** Adds the probe's handler to the pod and ReplicaSet informers of every namespace {@code topology} watches. */
  static InformerProbe attach(KubernetesTopology topology) {
    InformerProbe probe = new InformerProbe();
    try {
      Field f = KubernetesTopology.class.getDeclaredField("byNamespace");
      f.setAccessible(true);
      for (Object informers : ((Map<?, ?>) f.get(topology)).values()) {
        for (String accessor : new String[] {"pods", "replicaSets"}) {
          Method m = informers.getClass().getDeclaredMethod(accessor);
          m.setAccessible(true);
          ((SharedIndexInformer<?>) m.invoke(informers)).addEventHandler(probe.handler());
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("the k8s-informers bench reads KubernetesTopology's informers by reflection"
          + " (field byNamespace, record accessors pods() and replicaSets()); update InformerProbe to match", e);
    }
    return probe;
  }

  /** The key an update of {@code o} is recorded under. */
  static String key(HasMetadata o) {
    return o.getKind() + " " + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName() + "@"
        + o.getMetadata().getResourceVersion();
  }

  /**
   * Waits until the update {@code key} was delivered and returns its {@link System#nanoTime} of delivery.
   *
   * @throws IllegalStateException when it was not delivered within {@code timeout}
   */
  long await(String key, Duration timeout) {
    waiter = Thread.currentThread();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Long at = arrivals.get(key);
      if (at != null) {
        return at;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the topology's informers did not deliver " + key + " within " + timeout);
      }
      LockSupport.parkNanos(1_000_000L);
    }
  }

  private <T> ResourceEventHandler<T> handler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        // the initial list and objects created later: not measured
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        arrivals.put(key((HasMetadata) newObj), System.nanoTime());
        LockSupport.unpark(waiter);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        // not measured
      }
    };
  }
}

package dev.sreagent.k8s;

import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts a set of named informers and waits until every one has listed its objects (its first list is in the cache
 * and its watch runs). The names are what an error shows ({@code "pods in shop"}): when some do not sync within the
 * timeout, or their list fails (HTTP 403 from RBAC, a missing API), every informer of the set is stopped and an
 * {@link IllegalStateException} names the ones that did not sync, with the first failure's cause.
 */
final class InformerSync {
  private InformerSync() {}

  /**
   * Starts every informer of {@code named} (name to informer, in order) and waits up to {@code timeout} for all.
   *
   * @throws IllegalStateException naming the informers that did not sync (all are stopped), or when interrupted
   */
  static void start(Map<String, ? extends SharedIndexInformer<?>> named, Duration timeout) {
    Objects.requireNonNull(named, "named");
    Objects.requireNonNull(timeout, "timeout");
    Map<String, CompletableFuture<Void>> started = new LinkedHashMap<>();
    try {
      named.forEach((name, informer) -> started.put(name, informer.start().toCompletableFuture()));
      CompletableFuture.allOf(started.values().toArray(CompletableFuture[]::new))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      stopAll(named);
      List<String> unsynced = started.entrySet().stream()
          .filter(s -> !s.getValue().isDone() || s.getValue().isCompletedExceptionally()).map(Map.Entry::getKey)
          .toList();
      throw new IllegalStateException("informers did not sync within " + timeout + ": " + unsynced
          + (e instanceof ExecutionException ? " (" + e.getCause() + ")" : "")
          + "; check the RBAC (list, watch) and that the API server serves these resources, or raise the sync"
          + " timeout", e);
    } catch (InterruptedException e) {
      stopAll(named);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the informers " + named.keySet() + " synced", e);
    } catch (RuntimeException e) {
      stopAll(named);
      throw e;
    }
  }

  /** Stops every informer of {@code named}; one that fails to stop does not keep the others running. */
  static void stopAll(Map<String, ? extends SharedIndexInformer<?>> named) {
    for (SharedIndexInformer<?> informer : named.values()) {
      try {
        informer.close();
      } catch (RuntimeException e) {
        // already stopped, or its watch never opened: nothing left to release
      }
    }
  }
}

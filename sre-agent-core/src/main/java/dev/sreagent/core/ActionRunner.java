package dev.sreagent.core;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.Lock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Where actions run: a bounded pool of threads owned by the agent, so that an action that takes minutes never blocks
 * the loop (other incidents are detected, decided, approved and verified meanwhile). The loop hands an action over
 * and picks its result up on a later tick; the kill switch cancels running actions by interrupting their thread.
 *
 * <p>With zero threads, actions run on the loop's thread and their result is there at once: deterministic, for
 * simulations that step a virtual clock.
 */
final class ActionRunner implements AutoCloseable {
  /** Threads of the default pool. */
  static final int DEFAULT_THREADS = 4;
  /** Actions waiting for a thread, per thread, before a hand-over is refused. */
  private static final int QUEUE_PER_THREAD = 64;

  private final @Nullable ThreadPoolExecutor pool;
  private final int threads;
  private final AtomicInteger busyThreads = new AtomicInteger();
  private final Map<String, InFlight> running = new ConcurrentHashMap<>();
  private final Supplier<@Nullable String> veto;

  /**
   * @param threads pool size; 0 runs actions on the caller's thread
   * @param veto why no action may start or go on now (the kill switch's reason), or null: checked when an action is
   *     handed over and again when its thread takes it up, so an engagement racing the hand-over is never missed
   */
  /**
   * A runner that refuses new actions while {@code killSwitch} is engaged and, when it engages, cancels the running
   * ones at once from the engaging thread.
   */
  static ActionRunner stoppedBy(dev.sreagent.core.guardrail.KillSwitch killSwitch, int threads) {
    ActionRunner runner = new ActionRunner(threads, () -> {
      String why = killSwitch.reason();
      return why == null ? null : "kill switch engaged: " + why;
    });
    killSwitch.onEngage(reason -> runner.cancelAll("kill switch engaged: " + reason));
    return runner;
  }

  ActionRunner(int threads, Supplier<@Nullable String> veto) {
    this.veto = veto;
    this.threads = Require.within(threads, 0, 256, "actionThreads");
    if (threads == 0) {
      pool = null;
    } else {
      AtomicInteger n = new AtomicInteger();
      pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(threads * QUEUE_PER_THREAD), r -> {
            Thread t = new Thread(r, "sre-agent-action-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
      pool.allowCoreThreadTimeOut(true);
    }
  }

  /** Whether another action can be handed over now without being refused (a free thread or a queue slot). */
  boolean hasCapacity() {
    return pool == null || pool.getQueue().remainingCapacity() > 0 || pool.getActiveCount() < threads;
  }

  /** Whether actions run on the loop's thread. */
  boolean inline() {
    return pool == null;
  }

  /**
   * Hands {@code call} over. The returned action is done at once when the runner is inline or refuses it (pool
   * full: UNAVAILABLE, never attempted).
   */
  InFlight start(String key, String incidentId, Action action, Lock lock, Instant now,
      Supplier<ActionResult> call) {
    InFlight f = new InFlight(key, incidentId, action, lock, now);
    running.put(key, f);
    vetoed(f); // after the put: an engagement from now on finds it in running, one before is seen here
    if (pool == null) {
      f.result.complete(f.cancelled != null ? notStarted(f, now) : call.get());
      return f;
    }
    try {
      pool.execute(() -> {
        busyThreads.incrementAndGet();
        f.attach(Thread.currentThread());
        try {
          vetoed(f);
          f.result.complete(f.cancelled != null ? notStarted(f, now) : call.get());
        } catch (RuntimeException | Error e) {
          f.result.complete(new ActionResult(key, ActionResult.Status.FAILED, "action thread failed: " + e, now));
        } finally {
          f.detach();
          busyThreads.decrementAndGet();
        }
      });
    } catch (RejectedExecutionException e) {
      f.result.complete(new ActionResult(key, ActionResult.Status.UNAVAILABLE, "the agent's action pool is full ("
          + pool.getMaximumPoolSize() + " threads, " + pool.getQueue().size() + " waiting); not attempted", now));
    }
    return f;
  }

  private void vetoed(InFlight f) {
    String why = veto.get();
    if (why != null) {
      f.cancel(why);
    }
  }

  private static ActionResult notStarted(InFlight f, Instant now) {
    return new ActionResult(f.key, ActionResult.Status.FAILED, "cancelled before it started: " + f.cancelled, now);
  }

  /** The action running under {@code key}, done or not, until {@link #finish(String)}. */
  @Nullable InFlight get(String key) {
    return running.get(key);
  }

  /** Forgets {@code key} once its result has been applied. */
  void finish(String key) {
    running.remove(key);
  }

  /** Whether an action of this agent still runs (or awaits being applied) on {@code target}. */
  boolean busy(String target) {
    for (InFlight f : running.values()) {
      if (f.action.target().equals(target)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Actions whose result has not landed yet and that run now or are about to: started ones, plus queued ones for
   * which a thread is free (queued behind busy threads they are not counted: nothing moves them but a landing).
   */
  int running() {
    int started = 0;
    int queued = 0;
    for (InFlight f : running.values()) {
      if (!f.done()) {
        if (f.startedOnThread || pool == null) {
          started++;
        } else {
          queued++;
        }
      }
    }
    return started + Math.min(queued, Math.max(0, threads - busyThreads.get()));
  }

  /** Actions asked to stop (kill switch, freeze, lost lease) whose result has not landed yet. */
  int cancelling() {
    int n = 0;
    for (InFlight f : running.values()) {
      if (!f.done() && f.cancelled != null) {
        n++;
      }
    }
    return n;
  }

  /** What is in flight now. */
  Collection<InFlight> inFlight() {
    return List.copyOf(running.values());
  }

  /** Asks every running action to stop: its thread is interrupted; an executor that honours it returns early. */
  void cancelAll(String why) {
    for (InFlight f : running.values()) {
      f.cancel(why);
    }
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  /** One action handed over: its lock (renewed while it runs) and its result once it lands. */
  static final class InFlight {
    final String key;
    final String incidentId;
    final Action action;
    final Instant startedAt;
    final CompletableFuture<ActionResult> result = new CompletableFuture<>();
    volatile Lock lock;
    volatile @Nullable String cancelled;
    volatile boolean startedOnThread;
    private @Nullable Thread thread; // guarded by this: an interrupt never reaches a thread that moved on

    InFlight(String key, String incidentId, Action action, Lock lock, Instant startedAt) {
      this.key = key;
      this.incidentId = incidentId;
      this.action = action;
      this.lock = lock;
      this.startedAt = startedAt;
    }

    boolean done() {
      return result.isDone();
    }

    synchronized void attach(Thread t) {
      thread = t;
      startedOnThread = true;
    }

    /** The thread goes back to the pool: no interrupt meant for this action may follow it to the next one. */
    synchronized void detach() {
      thread = null;
      Thread.interrupted();
    }

    /** Requests cancellation; idempotent. Interrupts the running thread (never the loop's thread). */
    synchronized void cancel(String why) {
      if (cancelled == null) {
        cancelled = why;
        if (thread != null) {
          thread.interrupt();
        }
      }
    }
  }
}

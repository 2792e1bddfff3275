package dev.sreagent.chatops;

import dev.sreagent.api.port.Clock;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls a chat adapter makes, on one background thread that never blocks the agent: urgent ones (approval
 * requests and the updates of their messages) first, notes after. A failure is retried (after the service's
 * {@code Retry-After}, else with doubling backoff) and then counted and logged with the service's error code; a full
 * queue drops the call, counted.
 */
final class ChatDelivery {
  private static final Logger LOG = LoggerFactory.getLogger(ChatDelivery.class);
  /** Backoff between calls is real time, whatever clock the agent runs on. */
  private static final Clock RETRY_WAIT = Clock.system();
  private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);
  private static final int QUEUE = 1_000;

  /** One call to the chat service. */
  @FunctionalInterface
  interface Call {
    void run() throws ChatCallException, InterruptedException;
  }

  private record Job(String what, Call call) {}

  private final String service;
  private final ChatCounters counters;
  private final int maxAttempts;
  private final Duration backoff;
  private final LinkedBlockingQueue<Job> urgent = new LinkedBlockingQueue<>(QUEUE);
  private final LinkedBlockingQueue<Job> notes = new LinkedBlockingQueue<>(QUEUE);
  private final Thread sender;
  private volatile boolean closing;

  /**
   * Starts the sender thread.
   *
   * @param service the service's name in log lines and the thread's name ("Slack")
   */
  ChatDelivery(String service, ChatCounters counters, int maxAttempts, Duration backoff) {
    this.service = service;
    this.counters = counters;
    this.maxAttempts = maxAttempts;
    this.backoff = backoff;
    this.sender = new Thread(this::send, "sre-agent-" + service.toLowerCase(java.util.Locale.ROOT));
    this.sender.setDaemon(true);
    this.sender.start();
  }

  /** Queues {@code call}; {@code what} names it in log lines ("post the approval request of INC-1"). */
  void enqueue(boolean isUrgent, String what, Call call) {
    LinkedBlockingQueue<Job> q = isUrgent ? urgent : notes;
    if (closing || !q.offer(new Job(what, call))) {
      counters.count("failed");
      counters.count("failed.queue-full");
      LOG.warn("{}: dropped '{}': {} calls are queued ({} unreachable or rate limited?); a dropped approval request"
          + " expires and escalates", service, what, queued(), service);
    }
  }

  /** Whether {@link #close} was called: no call is taken any more. */
  boolean closing() {
    return closing;
  }

  /** Calls queued and not yet made. */
  int queued() {
    return urgent.size() + notes.size();
  }

  private void send() {
    while (true) {
      Job job;
      try {
        job = urgent.poll();
        if (job == null) {
          job = notes.poll(50, TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        return;
      }
      if (job == null) {
        if (closing && urgent.isEmpty()) {
          return;
        }
        continue;
      }
      try {
        deliver(job);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        counters.count("failed");
        counters.count("failed.bug");
        LOG.error("{}: '{}' failed", service, job.what(), e);
      }
    }
  }

  private void deliver(Job job) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        job.call().run();
        return;
      } catch (ChatCallException e) {
        if (!e.retryable || attempt >= maxAttempts) {
          counters.count("failed");
          counters.count("failed." + e.error);
          LOG.error("{}: could not {} after {} attempt(s): {}", service, job.what(), attempt, e.getMessage());
          return;
        }
        long wait = e.retryAfter.isZero() ? backoff.toMillis() << Math.min(attempt - 1, 5)
            : Math.min(e.retryAfter.toMillis(), MAX_RETRY_AFTER.toMillis());
        counters.count("retried");
        LOG.warn("{}: {} (attempt {} of {}), trying again in {} ms", service, e.getMessage(), attempt, maxAttempts,
            wait);
        RETRY_WAIT.sleep(Duration.ofMillis(wait));
      }
    }
  }

  /** Stops after the queued calls are made (at most {@code timeout} of waiting). */
  void close(Duration timeout) {
    closing = true;
    try {
      sender.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sender.interrupt();
    if (queued() > 0) {
      LOG.warn("{}: {} calls were not made before the shutdown", service, queued());
    }
  }
}

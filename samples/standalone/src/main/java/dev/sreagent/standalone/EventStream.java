package dev.sreagent.standalone;

import dev.sreagent.core.SreAgentBuilder;
import dev.sreagent.jdbc.DeduplicatingConsumer;
import dev.sreagent.jdbc.JdbcStores;
import dev.sreagent.jdbc.OutboxConsumer;
import dev.sreagent.jdbc.OutboxRelay;
import dev.sreagent.redis.RedisEventBus;
import dev.sreagent.redis.StreamEvent;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The incident events {@code sre-agent run --events redis://HOST:PORT} publishes to a Redis stream
 * ({@link RedisEventBus}, stream {@value RedisEventBus.Builder#DEFAULT_STREAM}). With a JDBC store the store's
 * outbox is the record: an {@link OutboxRelay} publishes its rows to the stream, at least once (a row is marked only
 * after Redis took it), the redeliveries of one process de-duplicated by event id; the agent then has no notifier of
 * its own for the stream, so an event is never published twice by two paths. Without a store the agent's
 * {@link RedisEventBus#notifier()} publishes each event as it happens (dropped, counted and logged when Redis does
 * not answer). Opening checks that Redis answers ({@code XLEN}), naming the URI and the fix.
 */
final class EventStream implements AutoCloseable {
  private final RedisEventBus bus;
  private final @Nullable OutboxRelay relay;
  private final String text;

  private EventStream(RedisEventBus bus, @Nullable OutboxRelay relay, String text) {
    this.bus = bus;
    this.relay = relay;
    this.text = text;
  }

  /**
   * Connects to {@code c.events} (the password from {@code events.password-env}) and, with a {@code store}, starts
   * the relay of its outbox to the stream.
   *
   * @throws IllegalArgumentException naming the key, the value and the fix
   */
  static EventStream open(RunConfig c, Function<String, @Nullable String> env, @Nullable JdbcStores store) {
    String uri = java.util.Objects.requireNonNull(c.events, "events");
    if (c.eventsPasswordEnv != null) {
      String password = env.apply(c.eventsPasswordEnv);
      if (password == null) {
        throw new IllegalArgumentException("events.password-env names the environment variable "
            + c.eventsPasswordEnv + ", which is not set: export it with the Redis password");
      }
      int at = uri.indexOf("//") + 2;
      uri = uri.substring(0, at) + ":" + java.net.URLEncoder.encode(password,
          java.nio.charset.StandardCharsets.UTF_8) + "@" + uri.substring(at);
    }
    RedisEventBus bus = RedisEventBus.builder(uri).build();
    try {
      bus.length();
    } catch (RuntimeException e) {
      bus.close();
      throw new IllegalArgumentException("events " + c.events + " did not answer: " + e.getMessage(), e);
    }
    if (store == null) {
      return new EventStream(bus, null, "Redis stream " + bus.stream() + " at " + c.events + " (agent notifier)");
    }
    OutboxRelay relay = OutboxRelay.builder(store, toStream(bus::publish)).setName("events").build().start();
    return new EventStream(bus, relay, "Redis stream " + bus.stream() + " at " + c.events + " (from the outbox)");
  }

  /**
   * The bridge from the outbox to the stream: each outbox event as a {@link StreamEvent} with the same event id, type,
   * incident and payload, handed to {@code publish}; an event id already published by this process is dropped (a
   * relay redelivers after a failure between Redis taking it and the row being marked).
   */
  static DeduplicatingConsumer toStream(Consumer<StreamEvent> publish) {
    return OutboxConsumer.deduplicating(e -> publish.accept(new StreamEvent(e.eventId(), e.type(), e.incidentId(),
        e.payload())));
  }

  /** Without a store: the agent's notifier publishes to the stream. With one the relay does, so nothing here. */
  void configure(SreAgentBuilder builder) {
    if (relay == null) {
      builder.addNotifier(bus.notifier());
    }
  }

  /** For the start line. */
  String describe() {
    return text;
  }

  /** Stops the relay (what it has not published stays in the outbox for the next start), then the bus. */
  @Override
  public void close() {
    if (relay != null) {
      relay.close();
    }
    bus.close();
  }
}

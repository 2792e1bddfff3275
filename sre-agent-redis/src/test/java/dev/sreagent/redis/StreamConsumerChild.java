package dev.sreagent.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;

/**
 * The consumer process {@link RedisEventConsumerKilledIT} SIGKILLs: a consumer of group {@code args[2]} named
 * {@code args[3]} on stream {@code args[1]} of Redis {@code args[0]}, de-duplicating by event id, whose handler
 * records each event's id in the list {@code args[4]} and, at the {@code args[5]}-th, sets {@code args[4]:hung} and
 * hangs inside the handler (so that entry is neither marked done nor acknowledged, and the rest of its batch is
 * pending on it).
 */
public final class StreamConsumerChild {
  private StreamConsumerChild() {}

  public static void main(String[] args) throws Exception {
    String uri = args[0];
    String effects = args[4];
    int hangAt = Integer.parseInt(args[5]);
    RedisClient client = RedisClient.create(uri);
    StatefulRedisConnection<String, String> side = client.connect();
    int[] seen = {0};
    RedisEventBus bus = RedisEventBus.builder(uri).setStream(args[1]).build();
    RedisEventConsumer consumer = bus.consumer(args[2], args[3], event -> {
      side.sync().rpush(effects, event.eventId());
      if (++seen[0] == hangAt) {
        side.sync().set(effects + ":hung", event.eventId());
        Thread.sleep(Long.MAX_VALUE);
      }
    }).setBatchSize(1000).setReclaimIdle(Duration.ofSeconds(2)).setDeduplication(Duration.ofMinutes(5),
        StreamEvent::eventId).build();
    consumer.start();
    Thread.sleep(Long.MAX_VALUE);
  }
}

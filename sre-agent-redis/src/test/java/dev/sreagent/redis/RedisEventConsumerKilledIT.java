package dev.sreagent.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The fault test of the bus: a consumer process SIGKILLed with entries pending (one inside its handler, the rest of
 * its batch read and not acknowledged); another consumer of the group reclaims them (XAUTOCLAIM) and handles them;
 * none is lost, and republished duplicates are absorbed by the de-duplication.
 */
class RedisEventConsumerKilledIT {
  @Test
  void aConsumerKilledWithPendingEntriesIsReclaimedByAnotherNoneLostDuplicatesAbsorbed() throws Exception {
    String run = UUID.randomUUID().toString();
    String stream = "killed-it:" + run + ":events";
    String effects = "killed-it:" + run + ":effects";
    int distinct = 50;
    int republished = 10;
    int hangAt = 20;
    try (RedisServer redis = RedisServer.shared();
        RedisEventBus bus = RedisEventBus.builder(redis.uri()).setStream(stream).build()) {
      RedisClient client = RedisClient.create(redis.uri());
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        RedisCommands<String, String> r = c.sync();
        for (int i = 0; i < distinct; i++) {
          bus.publish(new StreamEvent("ev-" + i, "incident.opened", "INC-" + i, "{}"));
        }
        for (int i = 0; i < republished; i++) { // a relay that crashed before marking them publishes them again
          bus.publish(new StreamEvent("ev-" + i, "incident.opened", "INC-" + i, "{}"));
        }

        Path log = Files.createTempFile("stream-child", ".log");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
            System.getProperty("java.class.path"), StreamConsumerChild.class.getName(), redis.uri(), stream, "pager",
            "agent-a", effects, Integer.toString(hangAt))
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
          Instant deadline = Instant.now().plusSeconds(120); // a loaded 2-core machine starts JVMs slowly
          while (r.get(effects + ":hung") == null) {
            assertThat(child.isAlive()).as("child alive; see " + log).isTrue();
            assertThat(Instant.now()).as("child hung within 120 s; see " + log).isBefore(deadline);
            Thread.sleep(50);
          }
        } finally {
          child.destroyForcibly().waitFor(); // SIGKILL
        }
        long pendingAtKill = r.xpending(stream, "pager").getCount();
        assertThat(pendingAtKill).as("the killed consumer's batch is pending")
            .isEqualTo(distinct + republished - (hangAt - 1));

        Instant killed = Instant.now();
        try (RedisEventConsumer survivor = bus.consumer("pager", "agent-b", e -> r.rpush(effects, e.eventId()))
            .setReclaimIdle(Duration.ofSeconds(2)).setReclaimEvery(Duration.ofMillis(500))
            .setDeduplication(Duration.ofMinutes(5), StreamEvent::eventId).build().start()) {
          Instant deadline = Instant.now().plusSeconds(30);
          while (r.xpending(stream, "pager").getCount() > 0 && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
          }
          Duration took = Duration.between(killed, Instant.now());
          List<String> done = r.lrange(effects, 0, -1);
          assertThat(r.xpending(stream, "pager").getCount()).as("nothing left pending").isZero();
          assertThat(new HashSet<>(done)).as("none lost").hasSize(distinct);
          // the event inside the killed handler had taken effect and was not marked done: handled again (at least
          // once); every other duplicate (the republished entries) was absorbed
          assertThat(done).hasSize(distinct + 1);
          // the entry in the killed handler may be reclaimed twice: first while its in-flight mark still lives (so it
          // is deferred), then after the mark expired
          assertThat(survivor.reclaimed()).isBetween(pendingAtKill, pendingAtKill + 1);
          assertThat(survivor.duplicates()).isEqualTo(republished);
          System.out.printf("consumer SIGKILLed with %d entries pending: all reclaimed and handled by another in"
              + " %d ms (reclaim idle 2 s); %d duplicates absorbed, %d handled twice (the one in the killed"
              + " handler)%n", pendingAtKill, took.toMillis(), survivor.duplicates(), done.size() - distinct);
        }
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }
}

package dev.sreagent.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The tags the ECS executors keep on a service, over any sequence of changes: the last {@value EcsMarks#APPLIED_KEPT}
 * keys applied are recognised and no earlier one, every tag is one ECS accepts, and the executors never use more
 * than {@value EcsMarks#TAGS_NEEDED} tags.
 */
class EcsMarksProperties {
  private static final Pattern TAG = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");

  @Provide
  Arbitrary<List<String>> keys() {
    return Arbitraries.strings().withChars("0123456789abcdef").ofLength(64).list().ofMinSize(1).ofMaxSize(40);
  }

  @Provide
  Arbitrary<List<String>> targets() {
    return Arbitraries.of("scale:checkout", "restart-pods:checkout", "rollback:checkout").list().ofMinSize(1)
        .ofMaxSize(40);
  }

  @Property(tries = 300)
  void theLastTenKeysAreRecognisedAndEveryTagIsOneEcsAccepts(@ForAll("keys") List<String> keys,
      @ForAll("targets") List<String> targets, @ForAll long token) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      String target = targets.get(i % targets.size());
      tags.putAll(EcsMarks.start(tags, key, i % 2 == 0 ? "ecs-svc/" + (1000000000000000000L + i) : "", target,
          token, "INC-" + i + " <weird;chars>"));
      assertThat(EcsMarks.started(tags, key)).isPresent();
      tags.putAll(EcsMarks.applied(tags, key, "INC-" + i));
      String started = EcsMarks.withoutStarted(tags, key);
      if (started.isEmpty()) {
        tags.remove(EcsMarks.STARTED);
      } else {
        tags.put(EcsMarks.STARTED, started);
      }
      assertThat(tags.size()).isLessThanOrEqualTo(EcsMarks.TAGS_NEEDED);
      tags.forEach((k, v) -> {
        assertThat(k).hasSizeBetween(1, 128).matches(TAG);
        assertThat(v).hasSizeLessThanOrEqualTo(256).matches(TAG);
      });
      assertThat(EcsMarks.fencingToken(tags, target)).hasValue(token);
    }
    List<String> distinct = keys.stream().distinct().toList();
    List<String> recent = reversedDistinct(keys).subList(0, Math.min(EcsMarks.APPLIED_KEPT, distinct.size()));
    recent.forEach(k -> assertThat(EcsMarks.applied(tags, k)).as(k).isTrue());
    distinct.stream().filter(k -> !recent.contains(k))
        .forEach(k -> assertThat(EcsMarks.applied(tags, k)).as("forgotten " + k).isFalse());
  }

  /** The keys, newest first, each once. */
  private static List<String> reversedDistinct(List<String> keys) {
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    for (int i = keys.size() - 1; i >= 0; i--) {
      out.add(keys.get(i));
    }
    return List.copyOf(out);
  }
}

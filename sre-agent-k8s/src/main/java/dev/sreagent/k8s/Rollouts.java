package dev.sreagent.k8s;

import dev.sreagent.api.model.ChangeEvent;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What kind of change a workload's new revision is, from its pod template compared with the template of the revision
 * before it: new images are a {@link ChangeEvent#DEPLOY}; the images of one of the last {@value #HISTORY} earlier
 * revisions are a {@link ChangeEvent#ROLLBACK} ({@code kubectl rollout undo}, the agent's own rollback); the same
 * images with a new {@code ...restartedAt} template annotation ({@code kubectl rollout restart}, a rolling restart) are
 * a {@link ChangeEvent#RESTART}; any other template change (environment, resources) is a DEPLOY. Only a DEPLOY makes
 * the agent suspect a bad deploy, so its own rollbacks and restarts are not blamed as one. Not thread-safe: the
 * {@link SignalMapper} calls it under its lock.
 */
final class Rollouts {
  /** How many earlier revisions' images are remembered per workload. */
  static final int HISTORY = 10;

  /** A pod template as far as the kind of change goes: its containers' images and its restart marker. */
  record Template(List<String> images, @Nullable String restartedAt) {
    static Template of(HasMetadata workload) {
      PodTemplateSpec t = null;
      if (workload instanceof Deployment d && d.getSpec() != null) {
        t = d.getSpec().getTemplate();
      } else if (workload instanceof StatefulSet s && s.getSpec() != null) {
        t = s.getSpec().getTemplate();
      }
      if (t == null) {
        return new Template(List.of(), null);
      }
      List<String> images = t.getSpec() == null ? List.of()
          : t.getSpec().getContainers().stream().map(c -> c.getName() + "=" + c.getImage()).toList();
      Map<String, String> a = t.getMetadata() == null ? null : t.getMetadata().getAnnotations();
      String restartedAt = a == null ? null : a.entrySet().stream().filter(e -> e.getKey().endsWith("restartedAt"))
          .map(Map.Entry::getValue).sorted().findFirst().orElse(null);
      return new Template(images, restartedAt);
    }
  }

  private record History(Template current, Deque<List<String>> earlierImages) {}

  private final Map<String, History> byWorkload = new HashMap<>();

  /** Remembers {@code template} as the current revision's of workload {@code id} (the initial list). */
  void seed(String id, Template template) {
    byWorkload.put(id, new History(template, new ArrayDeque<>()));
  }

  /** The kind of the new revision of workload {@code id} with {@code template}, which becomes the current one. */
  String classify(String id, Template template) {
    History h = byWorkload.get(id);
    if (h == null) {
      seed(id, template);
      return ChangeEvent.DEPLOY;  // a new workload: its first rollout
    }
    String kind;
    if (!h.current().images().equals(template.images())) {
      kind = h.earlierImages().contains(template.images()) ? ChangeEvent.ROLLBACK : ChangeEvent.DEPLOY;
      h.earlierImages().remove(h.current().images());
      h.earlierImages().addFirst(h.current().images());
      while (h.earlierImages().size() > HISTORY) {
        h.earlierImages().removeLast();
      }
    } else {
      kind = Objects.equals(h.current().restartedAt(), template.restartedAt()) ? ChangeEvent.DEPLOY
          : ChangeEvent.RESTART;
    }
    byWorkload.put(id, new History(template, h.earlierImages()));
    return kind;
  }

  /** Forgets workload {@code id} (deleted). */
  void forget(String id) {
    byWorkload.remove(id);
  }
}

package dev.sreagent.aws;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.ecs.model.DescribeServicesResponse;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.ServiceField;
import software.amazon.awssdk.services.ecs.model.Tag;

/**
 * Reads the ECS services of the allowed clusters and writes the executors' tags on them. The agent's service name is
 * the ECS service's name, or, when a service tag is configured, that tag's value (as the Kubernetes adapter reads a
 * label); a name found in two clusters is ambiguous and never acted on.
 */
final class EcsServices {
  /** One ECS service as read now, with its tags. */
  record Found(String cluster, String agentName, Service service, Map<String, String> tags) {
    String describe() {
      return "ECS service " + service.serviceName() + " in cluster " + cluster;
    }

    Optional<Deployment> primary() {
      return service.deployments().stream().filter(d -> "PRIMARY".equals(d.status())).findFirst();
    }

    /** The service's task definition as {@code family:revision}. */
    String taskDefinition() {
      return shortTaskDefinition(service.taskDefinition());
    }
  }

  /** The answer to "which ECS service is this agent service?". */
  record Lookup(@Nullable Found found, String problem) {}

  private final EcsClient ecs;
  private final List<String> clusters;
  private final @Nullable String serviceTag;

  EcsServices(EcsClient ecs, List<String> clusters, @Nullable String serviceTag) {
    this.ecs = Objects.requireNonNull(ecs, "ecs");
    this.clusters = clusters.stream().map(EcsServices::clusterName).distinct().toList();
    this.serviceTag = serviceTag;
  }

  /**
   * A cluster's name from its name or ARN ({@code arn:aws:ecs:REGION:ACCOUNT:cluster/NAME}): ECS accepts both, but
   * Application Auto Scaling's resource IDs and the executors' messages need the name.
   */
  static String clusterName(String nameOrArn) {
    int i = nameOrArn.indexOf(":cluster/");
    return i < 0 ? nameOrArn.strip() : nameOrArn.substring(i + ":cluster/".length()).strip();
  }

  List<String> clusters() {
    return clusters;
  }

  EcsClient client() {
    return ecs;
  }

  /** The ECS service the agent calls {@code name}, read afresh. */
  Lookup find(String name) {
    List<Found> hits = new ArrayList<>();
    if (serviceTag == null) {
      for (String cluster : clusters) {
        // only the service of exactly that name: ECS would also resolve an ARN, which is another lock target
        describe(cluster, List.of(name)).stream().filter(f -> f.service().serviceName().equals(name))
            .forEach(hits::add);
      }
    } else {
      all().stream().filter(f -> f.agentName().equals(name)).forEach(hits::add);
    }
    if (hits.isEmpty()) {
      return new Lookup(null, "no ECS service " + (serviceTag == null ? "named " : "tagged " + serviceTag + "=")
          + name + " in the allowed clusters " + clusters);
    }
    if (hits.size() > 1) {
      return new Lookup(null, "service " + name + " is ambiguous: found in clusters "
          + hits.stream().map(Found::cluster).toList() + "; refused (allow one cluster, or tell them apart by "
          + (serviceTag == null ? "a service tag" : "their " + serviceTag + " tags") + ")");
    }
    return new Lookup(hits.get(0), "");
  }

  /** Every service of the allowed clusters, with tags. */
  List<Found> all() {
    List<Found> out = new ArrayList<>();
    for (String cluster : clusters) {
      List<String> arns = new ArrayList<>();
      ecs.listServicesPaginator(r -> r.cluster(cluster).maxResults(100)).serviceArns().forEach(arns::add);
      for (int i = 0; i < arns.size(); i += 10) {
        out.addAll(describe(cluster, arns.subList(i, Math.min(i + 10, arns.size()))));
      }
    }
    return out;
  }

  private List<Found> describe(String cluster, List<String> services) {
    DescribeServicesResponse r = ecs.describeServices(b -> b.cluster(cluster).services(services)
        .include(ServiceField.TAGS));
    List<Found> out = new ArrayList<>();
    for (Service s : r.services()) {
      if (!"ACTIVE".equals(s.status())) {
        continue;  // DRAINING or INACTIVE: deleted or being deleted
      }
      Map<String, String> tags = new LinkedHashMap<>();
      for (Tag t : s.tags()) {
        tags.put(t.key(), t.value());
      }
      String agentName = serviceTag == null ? s.serviceName() : tags.get(serviceTag);
      if (agentName != null && !agentName.isBlank()) {
        out.add(new Found(cluster, agentName, s, tags));
      }
    }
    return out;
  }

  /** The IDs of the running tasks of {@code service} in {@code cluster}, or of every service there when null. */
  List<String> taskIds(String cluster, @Nullable String service) {
    List<String> out = new ArrayList<>();
    ecs.listTasksPaginator(b -> b.cluster(cluster).serviceName(service)).taskArns()
        .forEach(arn -> out.add(arn.substring(arn.lastIndexOf('/') + 1)));
    return out;
  }

  /** Writes {@code tags} on the service (other tags kept). */
  void tag(Found f, Map<String, String> tags) {
    List<Tag> list = new ArrayList<>();
    tags.forEach((k, v) -> list.add(Tag.builder().key(k).value(v).build()));
    ecs.tagResource(b -> b.resourceArn(f.service().serviceArn()).tags(list));
  }

  /** Removes the tag {@code key} from the service. */
  void untag(Found f, String key) {
    ecs.untagResource(b -> b.resourceArn(f.service().serviceArn()).tagKeys(key));
  }

  static String shortTaskDefinition(@Nullable String arnOrName) {
    if (arnOrName == null) {
      return "";
    }
    int i = arnOrName.indexOf("task-definition/");
    return i < 0 ? arnOrName : arnOrName.substring(i + "task-definition/".length());
  }
}

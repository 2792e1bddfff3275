package dev.sreagent.testkit.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sreagent.testkit.aws.Json11.AwsError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The ECS and Application Auto Scaling state behind an {@link AwsEmulator}, and the operations served on it.
 *
 * <p>ECS (JSON 1.1): {@code DescribeClusters}, {@code ListServices} (pages of {@code maxResults}, default 10),
 * {@code DescribeServices} (at most 10 per call, {@code include: [TAGS]}), {@code UpdateService}
 * ({@code desiredCount}, {@code taskDefinition}, {@code forceNewDeployment}), {@code ListTasks},
 * {@code DescribeTasks}, {@code StopTask}, {@code DescribeTaskDefinition}, {@code TagResource},
 * {@code UntagResource}, {@code ListTagsForResource} with ECS's tag rules (at most 50 tags, keys 1-128 and values at
 * most 256 characters of letters, digits, spaces and {@code _ . : / = + - @}, no {@code aws:} prefix).
 * Application Auto Scaling (JSON 1.1): {@code DescribeScalableTargets} and {@code RegisterScalableTarget} for
 * {@code ecs:service:DesiredCount}.
 *
 * <p>A deployment rolls out in steps: each {@link #progress()} starts one task of the primary deployment and stops
 * one of the older ones, until the primary runs its desired count (then {@code COMPLETED}, the older ones gone); with
 * {@link #setAutoProgress(boolean) auto progress} (the default) each {@code DescribeServices} call is one step, so a
 * client polling for a rollout sees it finish. A stopped task is replaced by the next step. {@link #stallRollouts}
 * keeps rollouts {@code IN_PROGRESS}; {@link #failNextRollout} makes the next one {@code FAILED} (the deployment
 * circuit breaker). Not emulated: capacity providers, load balancers, service events, placement, task health checks,
 * service discovery, the Auto Scaling policies themselves (a scalable target only bounds the desired count).
 */
public final class EcsEmulation {
  /** ECS's account in every ARN the emulator makes. */
  public static final String ACCOUNT = "123456789012";
  private static final Pattern TAG_CHARS = Pattern.compile("^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$");

  /** A deployment of a service, as {@code DescribeServices} shows it. */
  public record Deployment(String id, String status, String taskDefinition, int desiredCount, int runningCount,
      String rolloutState, Instant createdAt) {}

  /** A snapshot of one service for assertions. */
  public record Service(String cluster, String name, String arn, int desiredCount, int runningCount,
      String taskDefinition, List<Deployment> deployments, Map<String, String> tags, List<String> runningTasks) {}

  private static final class Svc {
    final String cluster;
    final String name;
    final String arn;
    int desired;
    String taskDefinition;
    int minHealthyPercent = 100;
    int maxPercent = 200;
    final List<Dep> deployments = new ArrayList<>();
    final Map<String, String> tags = new LinkedHashMap<>();
    Instant createdAt;

    Svc(String cluster, String name, String region) {
      this.cluster = cluster;
      this.name = name;
      this.arn = "arn:aws:ecs:" + region + ":" + ACCOUNT + ":service/" + cluster + "/" + name;
    }
  }

  private static final class Dep {
    final String id;
    String status = "PRIMARY";
    final String taskDefinition;
    int desired;
    final List<String> tasks = new ArrayList<>();
    String rolloutState = "IN_PROGRESS";
    final Instant createdAt;

    Dep(String id, String taskDefinition, int desired, Instant createdAt) {
      this.id = id;
      this.taskDefinition = taskDefinition;
      this.desired = desired;
      this.createdAt = createdAt;
    }
  }

  /**
   * A change a client made through the API, told to the {@link #setWriteListener write listener} after the emulation
   * applied it (a simulation applies it to its own model): the operation, the service, its tags at that moment, and
   * the change (the fields that do not apply are null or false).
   */
  public record Write(String operation, String cluster, String service, Map<String, String> tags,
      @Nullable Integer desiredCount, @Nullable String taskDefinition, boolean forceNewDeployment,
      @Nullable String stoppedTask, @Nullable Integer minCapacity, @Nullable String key) {}

  /** The User-Agent token of the agent's ECS executors: {@code sre-agent-key/IDEMPOTENCY_KEY}. */
  public static final String USER_AGENT_KEY = "sre-agent-key";
  private static final Pattern KEY_IN_USER_AGENT = Pattern.compile("(?:^|\\s)" + USER_AGENT_KEY + "/([^\\s]+)");

  private record TaskDef(String family, int revision, String image) {}

  private record Scalable(int min, int max) {}

  private final String region;
  private final Map<String, String> clusters = new LinkedHashMap<>();
  private final Map<String, Svc> services = new LinkedHashMap<>();
  private final Map<String, TaskDef> taskDefinitions = new LinkedHashMap<>();
  private final Map<String, String> taskStatus = new LinkedHashMap<>();
  private final Map<String, Scalable> scalable = new LinkedHashMap<>();
  private long ids = 0;
  private boolean autoProgress = true;
  private boolean stalled = false;
  private boolean failNextRollout = false;
  private Supplier<Instant> clock = Instant::now;
  private @Nullable Consumer<Write> writes;
  private @Nullable String requestKey;

  EcsEmulation(String region) {
    this.region = region;
  }

  synchronized void setClock(Supplier<Instant> clock) {
    this.clock = clock;
  }

  // ---- the test's side ----

  /** Creates a cluster. */
  public synchronized EcsEmulation createCluster(String name) {
    clusters.put(name, "arn:aws:ecs:" + region + ":" + ACCOUNT + ":cluster/" + name);
    return this;
  }

  /** Registers a new revision of {@code family} running {@code image}; returns {@code family:revision}. */
  public synchronized String registerTaskDefinition(String family, String image) {
    int rev = (int) taskDefinitions.values().stream().filter(t -> t.family().equals(family)).count() + 1;
    taskDefinitions.put(taskDefArn(family, rev), new TaskDef(family, rev, image));
    return family + ":" + rev;
  }

  /** Creates a service running {@code desiredCount} tasks of {@code taskDefinition}, its rollout completed. */
  public synchronized EcsEmulation createService(String cluster, String name, String taskDefinition,
      int desiredCount) {
    requireCluster(cluster);
    Svc s = new Svc(cluster, name, region);
    s.createdAt = clock.get();
    s.taskDefinition = resolveTaskDef(taskDefinition);
    s.desired = desiredCount;
    Dep d = new Dep(nextDeploymentId(), s.taskDefinition, desiredCount, clock.get());
    for (int i = 0; i < desiredCount; i++) {
      d.tasks.add(newTask());
    }
    d.rolloutState = "COMPLETED";
    s.deployments.add(d);
    services.put(key(cluster, name), s);
    return this;
  }

  /** A deploy by someone else (a pipeline): a new primary deployment of {@code taskDefinition}. */
  public synchronized EcsEmulation deploy(String cluster, String name, String taskDefinition) {
    Svc s = svc(cluster, name);
    startDeployment(s, resolveTaskDef(taskDefinition));
    return this;
  }

  /** Registers the service with Application Auto Scaling, its desired count between {@code min} and {@code max}. */
  public synchronized EcsEmulation registerScalableTarget(String cluster, String name, int min, int max) {
    svc(cluster, name);
    scalable.put(resourceId(cluster, name), new Scalable(min, max));
    return this;
  }

  /** The scalable target's {@code [min, max]}, if the service has one. */
  public synchronized Optional<int[]> scalableTarget(String cluster, String name) {
    Scalable t = scalable.get(resourceId(cluster, name));
    return t == null ? Optional.empty() : Optional.of(new int[] {t.min(), t.max()});
  }

  /** Sets the service's deployment configuration ({@code minimumHealthyPercent}, {@code maximumPercent}). */
  public synchronized EcsEmulation setDeploymentConfiguration(String cluster, String name, int minimumHealthyPercent,
      int maximumPercent) {
    Svc s = svc(cluster, name);
    s.minHealthyPercent = minimumHealthyPercent;
    s.maxPercent = maximumPercent;
    return this;
  }

  /** Sets a tag on the service as a user would. */
  public synchronized EcsEmulation tag(String cluster, String name, String key, String value) {
    svc(cluster, name).tags.put(key, value);
    return this;
  }

  /** The service as {@code DescribeServices} would show it now (without making a rollout step). */
  public synchronized Service service(String cluster, String name) {
    Svc s = svc(cluster, name);
    List<Deployment> deps = s.deployments.stream().map(d -> new Deployment(d.id, d.status, d.taskDefinition,
        d.desired, d.tasks.size(), d.rolloutState, d.createdAt)).toList();
    List<String> running = s.deployments.stream().flatMap(d -> d.tasks.stream()).map(EcsEmulation::taskId).toList();
    return new Service(cluster, name, s.arn, s.desired, running.size(), shortTaskDef(s.taskDefinition), deps,
        Map.copyOf(s.tags), running);
  }

  /** One rollout step for every service (see the class comment). */
  public synchronized void progress() {
    services.values().forEach(this::step);
  }

  /** Whether each {@code DescribeServices} call makes one rollout step first (default true). */
  public synchronized EcsEmulation setAutoProgress(boolean on) {
    this.autoProgress = on;
    return this;
  }

  /** While true, rollouts make no progress (tasks of the new deployment never start). */
  public synchronized EcsEmulation stallRollouts(boolean stalled) {
    this.stalled = stalled;
    return this;
  }

  /** The next deployment started fails ({@code rolloutState FAILED}; ECS's circuit breaker without rollback). */
  public synchronized EcsEmulation failNextRollout() {
    this.failNextRollout = true;
    return this;
  }

  /** Who is told of every change a client makes (a simulation); null for nobody. */
  public synchronized EcsEmulation setWriteListener(@Nullable Consumer<Write> listener) {
    this.writes = listener;
    return this;
  }

  /**
   * Sets a service as a controller publishes it (for a simulation that owns the state): its desired count, task
   * definition ({@code family:revision}, registered before) and exactly these running tasks in one primary deployment
   * (a rollout in progress while fewer run than desired, else completed; older deployments gone). Creates the service
   * when it does not exist; its tags are kept. Whether the primary deployment is new is the API's business: a
   * {@code forceNewDeployment} or a new task definition made one, and publishing keeps it.
   */
  public synchronized EcsEmulation publish(String cluster, String name, String taskDefinition, int desired,
      List<String> runningTasks) {
    requireCluster(cluster);
    Svc s = services.get(key(cluster, name));
    String td = resolveTaskDef(taskDefinition);
    if (s == null) {
      s = new Svc(cluster, name, region);
      s.createdAt = clock.get();
      s.taskDefinition = td;
      s.deployments.add(new Dep(nextDeploymentId(), td, desired, clock.get()));
      services.put(key(cluster, name), s);
    } else if (!td.equals(primary(s).taskDefinition)) {
      startDeployment(s, td);
    }
    s.desired = desired;
    Dep primary = primary(s);
    primary.desired = desired;
    for (Dep d : s.deployments) {
      for (String t : d.tasks) {
        if (!runningTasks.contains(t)) {
          taskStatus.put(t, "STOPPED");
        }
      }
    }
    s.deployments.removeIf(d -> d != primary);
    primary.tasks.clear();
    primary.tasks.addAll(runningTasks);
    runningTasks.forEach(t -> taskStatus.put(t, "RUNNING"));
    primary.rolloutState = runningTasks.size() >= desired ? "COMPLETED" : "IN_PROGRESS";
    return this;
  }

  /** Registers {@code family:revision} running {@code image} if it is not registered; returns it. */
  public synchronized String ensureTaskDefinition(String family, int revision, String image) {
    String arn = taskDefArn(family, revision);
    if (!taskDefinitions.containsKey(arn)) {
      int next = (int) taskDefinitions.values().stream().filter(t -> t.family().equals(family)).count() + 1;
      if (next != revision) {
        throw new IllegalArgumentException(family + ":" + revision + " cannot be registered next: ECS numbers a"
            + " family's revisions 1, 2, ... and the next is " + next);
      }
      taskDefinitions.put(arn, new TaskDef(family, revision, image));
    }
    return family + ":" + revision;
  }

  private void told(String operation, Svc s, @Nullable Integer desired, @Nullable String taskDefinition,
      boolean force, @Nullable String stopped, @Nullable Integer min) {
    if (writes != null) {
      writes.accept(new Write(operation, s.cluster, s.name, Map.copyOf(s.tags), desired,
          taskDefinition == null ? null : shortTaskDef(taskDefinition), force, stopped, min, requestKey));
    }
  }

  /** The image of {@code family:revision}. */
  public synchronized String image(String taskDefinition) {
    TaskDef t = taskDefinitions.get(resolveTaskDef(taskDefinition));
    return t.image();
  }

  // ---- the wire ----

  /** The idempotency key a request names in its User-Agent ({@value #USER_AGENT_KEY}{@code /KEY}), or null. */
  static @Nullable String keyOf(AwsEmulator.Request r) {
    for (Map.Entry<String, String> h : r.headers().entrySet()) {
      if (h.getKey().equalsIgnoreCase("User-Agent")) {
        java.util.regex.Matcher m = KEY_IN_USER_AGENT.matcher(h.getValue());
        return m.find() ? m.group(1) : null;
      }
    }
    return null;
  }

  synchronized AwsEmulator.Response handleEcs(AwsEmulator.Request r) {
    requestKey = keyOf(r);
    try {
      ObjectNode in = Json11.parse(r.body());
      JsonNode out = switch (r.operation()) {
        case "DescribeClusters" -> describeClusters(in);
        case "ListServices" -> listServices(in);
        case "DescribeServices" -> describeServices(in);
        case "UpdateService" -> updateService(in);
        case "ListTasks" -> listTasks(in);
        case "DescribeTasks" -> describeTasks(in);
        case "StopTask" -> stopTask(in);
        case "DescribeTaskDefinition" -> describeTaskDefinition(in);
        case "TagResource" -> tagResource(in);
        case "UntagResource" -> untagResource(in);
        case "ListTagsForResource" -> listTags(in);
        default -> throw new AwsError(400, "UnknownOperationException", "the emulator does not serve ECS's "
            + r.operation());
      };
      return Json11.ok(out);
    } catch (AwsError e) {
      return Json11.error(e.status, e.code, e.getMessage());
    }
  }

  synchronized AwsEmulator.Response handleScaling(AwsEmulator.Request r) {
    requestKey = keyOf(r);
    try {
      ObjectNode in = Json11.parse(r.body());
      JsonNode out = switch (r.operation()) {
        case "DescribeScalableTargets" -> describeScalableTargets(in);
        case "RegisterScalableTarget" -> registerScalableTarget(in);
        default -> throw new AwsError(400, "UnknownOperationException", "the emulator does not serve Application"
            + " Auto Scaling's " + r.operation());
      };
      return Json11.ok(out);
    } catch (AwsError e) {
      return Json11.error(e.status, e.code, e.getMessage());
    }
  }

  private JsonNode describeClusters(ObjectNode in) {
    ObjectNode out = Json11.MAPPER.createObjectNode();
    ArrayNode found = out.putArray("clusters");
    ArrayNode failures = out.putArray("failures");
    for (JsonNode c : in.path("clusters")) {
      String name = clusterName(c.asText());
      if (clusters.containsKey(name)) {
        found.addObject().put("clusterArn", clusters.get(name)).put("clusterName", name).put("status", "ACTIVE")
            .put("activeServicesCount", services.values().stream().filter(s -> s.cluster.equals(name)).count());
      } else {
        failures.addObject().put("arn", c.asText()).put("reason", "MISSING");
      }
    }
    return out;
  }

  private JsonNode listServices(ObjectNode in) {
    String cluster = requireCluster(clusterName(in.path("cluster").asText("default")));
    int max = in.path("maxResults").asInt(10);
    if (max < 1 || max > 100) {
      throw AwsError.client("InvalidParameterException", "maxResults must be between 1 and 100");
    }
    List<String> arns = services.values().stream().filter(s -> s.cluster.equals(cluster)).map(s -> s.arn).toList();
    int from = in.hasNonNull("nextToken") ? Integer.parseInt(in.get("nextToken").asText()) : 0;
    ObjectNode out = Json11.MAPPER.createObjectNode();
    ArrayNode page = out.putArray("serviceArns");
    arns.subList(Math.min(from, arns.size()), Math.min(from + max, arns.size())).forEach(page::add);
    if (from + max < arns.size()) {
      out.put("nextToken", Integer.toString(from + max));
    }
    return out;
  }

  private JsonNode describeServices(ObjectNode in) {
    String cluster = requireCluster(clusterName(in.path("cluster").asText("default")));
    if (in.path("services").size() > 10) {
      throw AwsError.client("InvalidParameterException", "services can have at most 10 items");
    }
    if (autoProgress) {
      progress();
    }
    boolean withTags = false;
    for (JsonNode i : in.path("include")) {
      withTags |= i.asText().equals("TAGS");
    }
    ObjectNode out = Json11.MAPPER.createObjectNode();
    ArrayNode found = out.putArray("services");
    ArrayNode failures = out.putArray("failures");
    for (JsonNode n : in.path("services")) {
      Svc s = services.get(key(cluster, serviceName(n.asText())));
      if (s == null) {
        failures.addObject().put("arn", n.asText()).put("reason", "MISSING");
        continue;
      }
      found.add(serviceJson(s, withTags));
    }
    return out;
  }

  private ObjectNode serviceJson(Svc s, boolean withTags) {
    ObjectNode o = Json11.MAPPER.createObjectNode();
    o.put("serviceArn", s.arn).put("serviceName", s.name).put("clusterArn", clusters.get(s.cluster))
        .put("status", "ACTIVE").put("desiredCount", s.desired)
        .put("runningCount", s.deployments.stream().mapToInt(d -> d.tasks.size()).sum()).put("pendingCount", 0)
        .put("launchType", "FARGATE").put("taskDefinition", s.taskDefinition)
        .put("createdAt", s.createdAt.getEpochSecond());
    o.putObject("deploymentConfiguration").put("maximumPercent", s.maxPercent)
        .put("minimumHealthyPercent", s.minHealthyPercent)
        .putObject("deploymentCircuitBreaker").put("enable", true).put("rollback", false);
    ArrayNode deps = o.putArray("deployments");
    for (Dep d : s.deployments) {
      deps.addObject().put("id", d.id).put("status", d.status).put("taskDefinition", d.taskDefinition)
          .put("desiredCount", d.desired).put("pendingCount", 0).put("runningCount", d.tasks.size())
          .put("failedTasks", 0).put("createdAt", d.createdAt.getEpochSecond())
          .put("updatedAt", d.createdAt.getEpochSecond()).put("launchType", "FARGATE")
          .put("rolloutState", d.rolloutState);
    }
    o.putArray("events");
    if (withTags) {
      ArrayNode tags = o.putArray("tags");
      s.tags.forEach((k, v) -> tags.addObject().put("key", k).put("value", v));
    }
    return o;
  }

  private JsonNode updateService(ObjectNode in) {
    String cluster = requireCluster(clusterName(in.path("cluster").asText("default")));
    Svc s = services.get(key(cluster, serviceName(in.path("service").asText())));
    if (s == null) {
      throw AwsError.client("ServiceNotFoundException", "Service not found.");
    }
    if (in.hasNonNull("desiredCount")) {
      int n = in.get("desiredCount").asInt();
      if (n < 0) {
        throw AwsError.client("InvalidParameterException", "desiredCount must be at least 0");
      }
      s.desired = n;
      primary(s).desired = n;
    }
    String td = in.hasNonNull("taskDefinition") ? resolveTaskDef(in.get("taskDefinition").asText()) : null;
    boolean newTaskDefinition = td != null && !td.equals(s.taskDefinition);
    boolean force = !newTaskDefinition && in.path("forceNewDeployment").asBoolean(false);
    if (newTaskDefinition) {
      startDeployment(s, td);
    } else if (force) {
      startDeployment(s, s.taskDefinition);
    } else if (in.hasNonNull("desiredCount")) {
      primary(s).rolloutState = "IN_PROGRESS";
    }
    told("UpdateService", s, in.hasNonNull("desiredCount") ? in.get("desiredCount").asInt() : null,
        newTaskDefinition ? td : null, force, null, null);
    ObjectNode out = Json11.MAPPER.createObjectNode();
    out.set("service", serviceJson(s, false));
    return out;
  }

  private JsonNode listTasks(ObjectNode in) {
    String cluster = requireCluster(clusterName(in.path("cluster").asText("default")));
    String name = in.path("serviceName").asText(null);
    ObjectNode out = Json11.MAPPER.createObjectNode();
    ArrayNode arns = out.putArray("taskArns");
    for (Svc s : services.values()) {
      if (s.cluster.equals(cluster) && (name == null || s.name.equals(name))) {
        s.deployments.forEach(d -> d.tasks.forEach(t -> arns.add(taskArn(cluster, t))));
      }
    }
    return out;
  }

  private JsonNode describeTasks(ObjectNode in) {
    String cluster = requireCluster(clusterName(in.path("cluster").asText("default")));
    ObjectNode out = Json11.MAPPER.createObjectNode();
    ArrayNode tasks = out.putArray("tasks");
    ArrayNode failures = out.putArray("failures");
    for (JsonNode t : in.path("tasks")) {
      String id = taskId(t.asText());
      Optional<Map.Entry<Svc, Dep>> owner = owner(cluster, id);
      String status = taskStatus.get(id);
      if (status == null) {
        failures.addObject().put("arn", t.asText()).put("reason", "MISSING");
        continue;
      }
      ObjectNode o = tasks.addObject().put("taskArn", taskArn(cluster, id)).put("clusterArn", clusters.get(cluster))
          .put("lastStatus", status).put("desiredStatus", status);
      owner.ifPresent(e -> o.put("group", "service:" + e.getKey().name).put("startedBy", e.getValue().id)
          .put("taskDefinitionArn", e.getValue().taskDefinition));
    }
    return out;
  }

  private JsonNode stopTask(ObjectNode in) {
    String cluster = requireCluster(clusterName(in.path("cluster").asText("default")));
    String id = taskId(in.path("task").asText());
    Optional<Map.Entry<Svc, Dep>> owner = owner(cluster, id);
    if (owner.isEmpty()) {
      throw AwsError.client("InvalidParameterException", "The referenced task was not found.");
    }
    owner.get().getValue().tasks.remove(id);
    taskStatus.put(id, "STOPPED");
    told("StopTask", owner.get().getKey(), null, null, false, id, null);
    ObjectNode out = Json11.MAPPER.createObjectNode();
    out.putObject("task").put("taskArn", taskArn(cluster, id)).put("lastStatus", "RUNNING")
        .put("desiredStatus", "STOPPED").put("stoppedReason", in.path("reason").asText(""));
    return out;
  }

  private JsonNode describeTaskDefinition(ObjectNode in) {
    String arn = resolveTaskDef(in.path("taskDefinition").asText());
    TaskDef t = taskDefinitions.get(arn);
    ObjectNode out = Json11.MAPPER.createObjectNode();
    ObjectNode td = out.putObject("taskDefinition").put("taskDefinitionArn", arn).put("family", t.family())
        .put("revision", t.revision()).put("status", "ACTIVE");
    td.putArray("containerDefinitions").addObject().put("name", t.family()).put("image", t.image());
    return out;
  }

  private JsonNode tagResource(ObjectNode in) {
    Svc s = byArn(in.path("resourceArn").asText());
    Map<String, String> next = new LinkedHashMap<>(s.tags);
    for (JsonNode t : in.path("tags")) {
      String k = t.path("key").asText("");
      String v = t.path("value").asText("");
      if (k.isEmpty() || k.length() > 128 || v.length() > 256 || !TAG_CHARS.matcher(k).matches()
          || !TAG_CHARS.matcher(v).matches()) {
        throw AwsError.client("InvalidParameterException", "Tag keys must be 1 to 128 and values at most 256"
            + " characters of letters, numbers, spaces and _ . : / = + - @; invalid tag: " + k + "=" + v);
      }
      if (k.toLowerCase(Locale.ROOT).startsWith("aws:")) {
        throw AwsError.client("InvalidParameterException", "Tag keys may not start with aws:");
      }
      next.put(k, v);
    }
    if (next.size() > 50) {
      throw AwsError.client("InvalidParameterException", "A resource can have at most 50 tags; this would make "
          + next.size());
    }
    s.tags.clear();
    s.tags.putAll(next);
    told("TagResource", s, null, null, false, null, null);
    return Json11.MAPPER.createObjectNode();
  }

  private JsonNode untagResource(ObjectNode in) {
    Svc s = byArn(in.path("resourceArn").asText());
    for (JsonNode k : in.path("tagKeys")) {
      s.tags.remove(k.asText());
    }
    return Json11.MAPPER.createObjectNode();
  }

  private JsonNode listTags(ObjectNode in) {
    Svc s = byArn(in.path("resourceArn").asText());
    ObjectNode out = Json11.MAPPER.createObjectNode();
    ArrayNode tags = out.putArray("tags");
    s.tags.forEach((k, v) -> tags.addObject().put("key", k).put("value", v));
    return out;
  }

  private JsonNode describeScalableTargets(ObjectNode in) {
    requireEcsNamespace(in);
    ObjectNode out = Json11.MAPPER.createObjectNode();
    ArrayNode targets = out.putArray("ScalableTargets");
    List<String> ids = new ArrayList<>();
    in.path("ResourceIds").forEach(n -> ids.add(n.asText()));
    scalable.forEach((id, t) -> {
      if (ids.isEmpty() || ids.contains(id)) {
        targets.addObject().put("ServiceNamespace", "ecs").put("ResourceId", id)
            .put("ScalableDimension", "ecs:service:DesiredCount").put("MinCapacity", t.min())
            .put("MaxCapacity", t.max()).put("CreationTime", clock.get().getEpochSecond());
      }
    });
    return out;
  }

  private JsonNode registerScalableTarget(ObjectNode in) {
    requireEcsNamespace(in);
    String id = in.path("ResourceId").asText();
    if (!in.path("ScalableDimension").asText().equals("ecs:service:DesiredCount")) {
      throw AwsError.client("ValidationException", "ScalableDimension must be ecs:service:DesiredCount");
    }
    String[] p = id.split("/");
    if (p.length != 3 || !p[0].equals("service") || !services.containsKey(key(p[1], p[2]))) {
      throw AwsError.client("ValidationException", "no ECS service " + id);
    }
    Scalable old = scalable.get(id);
    int min = in.hasNonNull("MinCapacity") ? in.get("MinCapacity").asInt() : old == null ? 1 : old.min();
    int max = in.hasNonNull("MaxCapacity") ? in.get("MaxCapacity").asInt() : old == null ? min : old.max();
    if (min > max) {
      throw AwsError.client("ValidationException", "Minimum capacity cannot be greater than maximum capacity");
    }
    scalable.put(id, new Scalable(min, max));
    Svc s = services.get(key(p[1], p[2]));
    if (s.desired < min) {  // the scaler raises the desired count to the new minimum
      s.desired = min;
      primary(s).desired = min;
      primary(s).rolloutState = "IN_PROGRESS";
    }
    told("RegisterScalableTarget", s, null, null, false, null, min);
    return Json11.MAPPER.createObjectNode().put("ScalableTargetARN", "arn:aws:application-autoscaling:" + region
        + ":" + ACCOUNT + ":scalable-target/" + Integer.toHexString(id.hashCode()));
  }

  // ---- the model ----

  private void step(Svc s) {
    Dep primary = primary(s);
    if (stalled || primary.rolloutState.equals("FAILED")) {
      return;
    }
    boolean changed = false;
    if (primary.tasks.size() < primary.desired) {
      primary.tasks.add(newTask());
      changed = true;
    } else if (primary.tasks.size() > primary.desired) {
      taskStatus.put(primary.tasks.remove(0), "STOPPED");
      changed = true;
    }
    for (Dep d : s.deployments) {
      if (d != primary && !d.tasks.isEmpty()) {
        taskStatus.put(d.tasks.remove(0), "STOPPED");
        changed = true;
        break;
      }
    }
    s.deployments.removeIf(d -> d != primary && d.tasks.isEmpty());
    if (!changed && primary.tasks.size() == primary.desired && s.deployments.size() == 1) {
      primary.rolloutState = "COMPLETED";
    }
  }

  private void startDeployment(Svc s, String taskDefArn) {
    for (Dep d : s.deployments) {
      d.status = "ACTIVE";
    }
    Dep d = new Dep(nextDeploymentId(), taskDefArn, s.desired, clock.get());
    if (failNextRollout) {
      d.rolloutState = "FAILED";
      failNextRollout = false;
    }
    s.deployments.add(0, d);
    s.taskDefinition = taskDefArn;
  }

  private static Dep primary(Svc s) {
    return s.deployments.stream().filter(d -> d.status.equals("PRIMARY")).findFirst().orElseThrow();
  }

  private Optional<Map.Entry<Svc, Dep>> owner(String cluster, String taskId) {
    for (Svc s : services.values()) {
      if (!s.cluster.equals(cluster)) {
        continue;
      }
      for (Dep d : s.deployments) {
        if (d.tasks.contains(taskId)) {
          return Optional.of(Map.entry(s, d));
        }
      }
    }
    return Optional.empty();
  }

  private String newTask() {
    String id = String.format("%032x", ++ids);
    taskStatus.put(id, "RUNNING");
    return id;
  }

  private String nextDeploymentId() {
    return "ecs-svc/" + (1000000000000000000L + ++ids);
  }

  private Svc svc(String cluster, String name) {
    Svc s = services.get(key(cluster, name));
    if (s == null) {
      throw new IllegalArgumentException("no service " + name + " in cluster " + cluster);
    }
    return s;
  }

  private Svc byArn(String arn) {
    for (Svc s : services.values()) {
      if (s.arn.equals(arn)) {
        return s;
      }
    }
    throw AwsError.client("InvalidParameterException", "The specified resource is not found or is not a service: "
        + arn);
  }

  private String requireCluster(String name) {
    if (!clusters.containsKey(name)) {
      throw AwsError.client("ClusterNotFoundException", "Cluster not found.");
    }
    return name;
  }

  private static void requireEcsNamespace(ObjectNode in) {
    if (!in.path("ServiceNamespace").asText().equals("ecs")) {
      throw AwsError.client("ValidationException", "the emulator serves ServiceNamespace ecs only");
    }
  }

  private String resolveTaskDef(String ref) {
    String s = ref.contains("task-definition/") ? ref.substring(ref.indexOf("task-definition/") + 16) : ref;
    if (s.contains(":")) {
      String arn = taskDefArn(s.substring(0, s.lastIndexOf(':')), parseRevision(s));
      if (!taskDefinitions.containsKey(arn)) {
        throw AwsError.client("ClientException", "Unable to describe task definition " + ref + ".");
      }
      return arn;
    }
    return taskDefinitions.entrySet().stream().filter(e -> e.getValue().family().equals(s))
        .reduce((a, b) -> b).map(Map.Entry::getKey)
        .orElseThrow(() -> AwsError.client("ClientException", "Unable to describe task definition " + ref + "."));
  }

  private static int parseRevision(String familyRevision) {
    try {
      return Integer.parseInt(familyRevision.substring(familyRevision.lastIndexOf(':') + 1));
    } catch (NumberFormatException e) {
      throw AwsError.client("ClientException", "Invalid revision number. Number: " + familyRevision);
    }
  }

  private String taskDefArn(String family, int revision) {
    return "arn:aws:ecs:" + region + ":" + ACCOUNT + ":task-definition/" + family + ":" + revision;
  }

  private static String shortTaskDef(String arn) {
    return arn.substring(arn.indexOf("task-definition/") + 16);
  }

  private String taskArn(String cluster, String id) {
    return "arn:aws:ecs:" + region + ":" + ACCOUNT + ":task/" + cluster + "/" + id;
  }

  private static String taskId(String ref) {
    return ref.substring(ref.lastIndexOf('/') + 1);
  }

  private static String clusterName(String ref) {
    return ref.contains(":cluster/") ? ref.substring(ref.indexOf(":cluster/") + 9) : ref;
  }

  private static String serviceName(String ref) {
    return ref.contains(":service/") ? ref.substring(ref.lastIndexOf('/') + 1) : ref;
  }

  private static String key(String cluster, String name) {
    return cluster + "/" + name;
  }

  private static String resourceId(String cluster, String name) {
    return "service/" + cluster + "/" + name;
  }
}

package dev.sreagent.testkit.aws;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Revision;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.testkit.ClusterState;
import dev.sreagent.testkit.SimulatedCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A {@link SimulatedCluster} behind the ECS emulation of an {@link AwsEmulator}, so that ECS executors change the
 * simulation only through signed HTTP calls to the emulated API.
 *
 * <p><b>Simulation to API</b> ({@link #sync()}, after each step): cluster {@value #CLUSTER}; per simulated service an
 * ECS service of the same name whose desired count is the replicas, whose running tasks are the pods (task ID = pod
 * name) in one primary deployment, and whose task definitions are the simulation's revisions, numbered
 * {@code SERVICE:1, :2, ...} in the order they first appear (a revision that becomes current again keeps its number,
 * as an ECS task definition does); a scalable target per service with the initial replicas as minimum and the
 * service's maximum replicas as maximum; {@code minimumHealthyPercent} the service's disruption budget as a share of its
 * initial replicas (rounded down). Rollouts do not advance on their own: the simulation owns the tasks.
 *
 * <p><b>API to simulation</b> (on every write, as ECS's scheduler and Application Auto Scaling would react):
 * {@code UpdateService} with another desired count scales, with another task definition rolls to that revision, with
 * {@code forceNewDeployment} restarts every pod; {@code StopTask} restarts that pod; {@code RegisterScalableTarget}
 * with a minimum above the replicas scales up to it; ACM's {@code RenewCertificate} renews the certificate (each
 * simulated certificate is published as a {@code PRIVATE} ACM certificate tagged {@code Name} and
 * {@code service.name}, its {@code NotAfter} the simulation's expiry). The API shows the result at once (replacement tasks run at once:
 * no start-up delay is emulated). Each effect is reported to the simulation's oracle in the agent's terms (revisions
 * as {@code SERVICE:N}), attributed by the change's own request (the idempotency key the ECS executors put in the
 * User-Agent, {@code sre-agent-key/KEY}) and the tags they write before it ({@code sre-agent:incident},
 * {@code sre-agent:fence:TARGET}); the tasks stopped under one key are reported as one restart when that key is tagged
 * applied. An effect without them, and tasks stopped under a key never tagged applied, are listed in
 * {@link #unattributed()}.
 *
 * <p>Locks: a write arrives holding the emulator's request lock ({@link AwsEmulator#atomically}), then takes this
 * simulation's, then the cluster's; a {@link #sync()} takes them in the same order.
 */
public final class EcsSimulation implements AutoCloseable {
  /** The ECS cluster every service lives in. */
  public static final String CLUSTER = "shop";

  private final SimulatedCluster cluster;
  private final AwsEmulator aws;
  private final Map<String, Map<String, Integer>> numbers = new LinkedHashMap<>();
  private final Map<String, List<String>> stoppedUnderKey = new LinkedHashMap<>();
  private final Map<String, Write> stopContext = new LinkedHashMap<>();
  private final List<String> unattributed = new ArrayList<>();
  private @Nullable Object published;
  private long publications;

  private record Write(String service, String incident, long token, String target) {}

  private EcsSimulation(SimulatedCluster cluster, AwsEmulator aws) {
    this.cluster = cluster;
    this.aws = aws;
  }

  /** Starts an emulator for {@code cluster} (region us-east-1) and publishes the cluster once. */
  public static EcsSimulation start(SimulatedCluster cluster) {
    AwsEmulator aws = AwsEmulator.start("us-east-1").setStateClock(() -> cluster.clock().now());
    EcsSimulation sim = new EcsSimulation(Objects.requireNonNull(cluster, "cluster"), aws);
    EcsEmulation ecs = aws.ecs().setAutoProgress(false).createCluster(CLUSTER);
    ecs.setWriteListener(sim::onWrite);
    aws.acm().setRenewalListener(sim::onRenewal);
    sim.sync();
    sim.publishHosts();
    for (ServiceInfo s : cluster.topology().services().values()) {
      ecs.registerScalableTarget(CLUSTER, s.name(), s.replicas(), s.maxReplicas());
      // the disruption budget as ECS states one: the share of the desired count that must stay healthy
      ecs.setDeploymentConfiguration(CLUSTER, s.name(), 100 * s.minAvailable() / Math.max(1, s.replicas()), 200);
    }
    return sim;
  }

  /** The emulator (its endpoint, keys and calls). */
  public AwsEmulator aws() {
    return aws;
  }

  /** The simulated cluster. */
  public SimulatedCluster cluster() {
    return cluster;
  }

  /** The task definition ({@code SERVICE:N}) the API shows for {@code service}'s current revision. */
  public synchronized String taskDefinition(String service) {
    return service + ":" + number(service, cluster.currentRevision(service));
  }

  /** Moves the simulation by {@code step}, then {@link #sync()}s the API. */
  public void advance(Duration step) {
    cluster.advance(step);
    sync();
  }

  /** Publishes the simulation's state to the API (see the class comment). */
  public void sync() {
    aws.atomically(() -> {
      synchronized (this) {
        publish();
      }
    });
  }

  /**
   * Effects the API caused that were not attributed to a completed change of the agent (a test usually expects none):
   * writes without the executors' key (in the User-Agent) and incident (in the tags), and tasks stopped under a key
   * that was never recorded as applied (a partial restart that failed part-way).
   */
  public synchronized List<String> unattributed() {
    List<String> out = new ArrayList<>(unattributed);
    stoppedUnderKey.forEach((key, pods) -> out.add("restart-pods(" + stopContext.get(key).service() + ";"
        + String.join(",", pods) + ") stopped under key " + key + ", never recorded as applied"));
    return List.copyOf(out);
  }

  /**
   * How many times the API's state changed so far (publications that changed something, and writes): a reader
   * polling the API (such as {@code EcsTopology}) needs to read again only when this moved.
   */
  public synchronized long publications() {
    return publications;
  }

  private void publish() {
    EcsEmulation ecs = aws.ecs();
    Map<String, ServiceInfo> services = cluster.topology().services();
    List<ClusterState.CertificateState> certificates = cluster.snapshot().certificates();
    List<Object> fingerprint = List.of(services, certificates);
    if (fingerprint.equals(published)) {
      return;  // nothing the API shows changed since the last publication
    }
    published = fingerprint;
    publications++;
    for (ClusterState.CertificateState c : certificates) {
      Optional<String> arn = aws.acm().arnTagged("Name", c.name());
      if (arn.isEmpty()) {
        aws.acm().add(c.name() + ".shop.internal", "PRIVATE", c.expiresAt(), Map.of("Name", c.name(),
            "service.name", c.service()));
      } else {
        aws.acm().setNotAfter(arn.get(), c.expiresAt());
      }
    }
    for (ServiceInfo s : services.values()) {
      for (Revision r : cluster.revisions(s.name())) {
        ecs.ensureTaskDefinition(s.name(), number(s.name(), r.id()), r.id());
      }
      ecs.publish(CLUSTER, s.name(), s.name() + ":" + number(s.name(), s.currentRevision()), s.replicas(), s.pods());
    }
  }

  private int number(String service, String revision) {
    Map<String, Integer> n = numbers.computeIfAbsent(service, k -> new LinkedHashMap<>());
    return n.computeIfAbsent(revision, k -> n.size() + 1);
  }

  private @Nullable String revisionOf(String service, int number) {
    for (Map.Entry<String, Integer> e : numbers.getOrDefault(service, Map.of()).entrySet()) {
      if (e.getValue() == number) {
        return e.getKey();
      }
    }
    return null;
  }

  private synchronized void onWrite(EcsEmulation.Write w) {
    String service = w.service();
    switch (w.operation()) {
      case "UpdateService" -> {
        if (w.taskDefinition() != null) {
          String td = w.taskDefinition();
          String target = revisionOf(service, Integer.parseInt(td.substring(td.lastIndexOf(':') + 1)));
          String current = cluster.currentRevision(service);
          if (target != null && !target.equals(current)) {
            String asSeenFrom = service + ":" + number(service, current);
            cluster.applyExternally(new Action.RollBack(service, current, target));
            effect(w, new Action.RollBack(service, asSeenFrom, td));
          }
        } else if (w.forceNewDeployment()) {
          List<String> pods = cluster.topology().services().get(service).pods();
          cluster.applyExternally(new Action.RestartPods(service, pods));
          effect(w, new Action.RestartPods(service, pods));
        } else if (w.desiredCount() != null && w.desiredCount() != cluster.replicas(service)) {
          Action scale = new Action.ScaleReplicas(service, cluster.replicas(service), w.desiredCount());
          cluster.applyExternally(scale);
          effect(w, scale);
        }
      }
      case "RegisterScalableTarget" -> {
        if (w.minCapacity() != null && w.minCapacity() > cluster.replicas(service)) {
          Action scale = new Action.ScaleReplicas(service, cluster.replicas(service), w.minCapacity());
          cluster.applyExternally(scale);
          effect(w, scale);
        }
      }
      case "StopTask" -> {
        String pod = Objects.requireNonNull(w.stoppedTask());
        cluster.applyExternally(new Action.RestartPods(service, List.of(pod)));
        String key = w.key();
        if (key == null || !w.tags().containsKey("sre-agent:incident")) {
          unattributed.add("restart-pods(" + service + ";" + pod + ") by StopTask");
        } else {
          stoppedUnderKey.computeIfAbsent(key, k -> new ArrayList<>()).add(pod);
          stopContext.put(key, new Write(service, w.tags().get("sre-agent:incident"),
              token(w.tags(), "restart-pods:" + service), "restart-pods:" + service));
        }
      }
      case "TagResource" -> {
        List<String> applied = new ArrayList<>();
        for (String tag : List.of("sre-agent:applied", "sre-agent:applied:2", "sre-agent:applied:3",
            "sre-agent:applied:4")) {
          String v = w.tags().get(tag);
          if (v != null && !v.isBlank()) {
            applied.addAll(Arrays.asList(v.strip().split(" +")));
          }
        }
        {
          for (String key : applied) {
            List<String> pods = stoppedUnderKey.remove(key);
            Write c = stopContext.remove(key);
            if (pods != null && c != null) {
              cluster.oracle().onEffect(cluster.clock().now(), new Action.RestartPods(c.service(), pods),
                  new ExecutionContext(c.incident(), key, c.token(), false));
            }
          }
        }
        return;
      }
      default -> {
        return;
      }
    }
    publish();
  }

  private synchronized void onRenewal(AcmEmulation.Renewal r) {
    String name = r.tags().get("Name");
    String service = r.tags().get("service.name");
    if (name == null || service == null) {
      unattributed.add("RenewCertificate of " + r.arn() + " (no Name or service.name tag)");
      return;
    }
    Action renew = new Action.RenewCertificate(service, name);
    cluster.applyExternally(renew);
    String incident = r.tags().get("sre-agent:incident");
    if (incident == null || r.key() == null) {
      unattributed.add(renew.canonical() + " by RenewCertificate");
    } else {
      cluster.oracle().onEffect(cluster.clock().now(), renew,
          new ExecutionContext(incident, r.key(), token(r.tags(), renew.target()), false));
    }
    publish();
  }

  /** The instance ID {@code node} is published under (SSM managed node). */
  public static String instanceId(String node) {
    return "i-" + dev.sreagent.api.model.Digests.sha256(node).substring(0, 17);
  }

  /**
   * Publishes every simulated node that holds a log volume as an EC2 container instance managed by SSM: instance ID
   * {@link #instanceId}, computer name the node's name (as the simulation's disk telemetry names it), tagged
   * {@value #HOST_TAG_KEY}{@code =}{@value #HOST_TAG_VALUE}; its shell is {@link #onShell}.
   */
  private void publishHosts() {
    List<String> nodes = cluster.snapshot().volumes().stream().map(v -> v.node()).distinct().sorted().toList();
    for (int i = 0; i < nodes.size(); i++) {
      aws.ssm().addNode(instanceId(nodes.get(i)), nodes.get(i), "10.0.1." + (10 + i),
          Map.of(HOST_TAG_KEY, HOST_TAG_VALUE, "aws:ecs:clusterName", CLUSTER), this::onShell);
    }
  }

  /** The tag (the SSM executor's default opt-in) every published host carries. */
  public static final String HOST_TAG_KEY = "sre-agent:truncate-logs";
  /** The value of {@link #HOST_TAG_KEY}. */
  public static final String HOST_TAG_VALUE = "allowed";

  /**
   * A published host's shell: runs only the log truncation's script or its probe ({@code set -- 'PATH'}, then
   * {@code LogPaths.TRUNCATE_SCRIPT} or {@code PROBE_SCRIPT}; the path's words as a POSIX shell reads them, single
   * quotes included) against a simulated log volume, which the truncation empties; any other line exits 127 saying
   * it is not simulated. A truncation is
   * attributed by the script's first line ({@code # sre-agent truncate-logs key=... fence=... incident=...}, which the
   * SSM executor writes), else listed in {@link #unattributed()}.
   */
  private SsmEmulation.Execution onShell(String instanceId, List<String> commands) {
    String node = null;
    for (String n : cluster.snapshot().volumes().stream().map(v -> v.node()).distinct().toList()) {
      if (instanceId(n).equals(instanceId)) {
        node = n;
      }
    }
    Map<String, String> header = new LinkedHashMap<>();
    StringBuilder out = new StringBuilder();
    for (String line : commands) {
      String l = line.strip();
      if (l.startsWith("# sre-agent truncate-logs ")) {
        for (String field : l.substring("# sre-agent truncate-logs ".length()).split(" ")) {
          int eq = field.indexOf('=');
          if (eq > 0) {
            header.put(field.substring(0, eq), field.substring(eq + 1));
          }
        }
        continue;
      }
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      List<String> argv = words(l);
      if (argv != null && argv.size() == 3 && argv.get(0).equals("set") && argv.get(1).equals("--")) {
        header.put("$1", argv.get(2));
        continue;
      }
      boolean truncate = l.equals(dev.sreagent.api.LogPaths.TRUNCATE_SCRIPT);
      if ((!truncate && !l.equals(dev.sreagent.api.LogPaths.PROBE_SCRIPT)) || !header.containsKey("$1")) {
        return new SsmEmulation.Execution(127, out.toString(), "EcsSimulation: only the log truncation's script"
            + " (LogPaths.TRUNCATE_SCRIPT or PROBE_SCRIPT after 'set -- PATH') is simulated, not: " + l);
      }
      String path = header.get("$1");
      String finalNode = node;
      Optional<dev.sreagent.testkit.ClusterState.VolumeState> volume = cluster.snapshot().volumes().stream()
          .filter(v -> v.node().equals(finalNode) && v.path().equals(path)).findFirst();
      if (volume.isEmpty()) {
        return new SsmEmulation.Execution(dev.sreagent.api.LogPaths.REFUSED_EXIT, out.toString(), "sh: 1: cd: can't"
            + " cd to " + path + "\nsre-agent: " + path + " is not a directory reached without symbolic links;"
            + " nothing emptied");
      }
      if (truncate) {
        synchronized (this) {
          Action action = new Action.TruncateLogs(volume.get().service(), node, path);
          cluster.applyExternally(action);
          String key = header.get("key");
          String incident = header.get("incident");
          long fence;
          try {
            fence = Long.parseLong(header.getOrDefault("fence", "0"));
          } catch (NumberFormatException e) {
            fence = 0;
          }
          if (key == null || incident == null) {
            unattributed.add(action.canonical() + " by SendCommand");
          } else {
            cluster.oracle().onEffect(cluster.clock().now(), action, new ExecutionContext(incident, key, fence,
                false));
          }
        }
      }
      out.append("./").append(volume.get().service()).append('-').append(node).append(".log\n");
    }
    return new SsmEmulation.Execution(0, out.toString(), "");
  }

  /** {@code line} split into words as a POSIX shell does for plain words and single quotes; null for anything else. */
  static @Nullable List<String> words(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    boolean inWord = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'') {
        int end = line.indexOf('\'', i + 1);
        if (end < 0) {
          return null;
        }
        w.append(line, i + 1, end);
        i = end;
        inWord = true;
      } else if (c == ' ') {
        if (inWord) {
          out.add(w.toString());
          w.setLength(0);
          inWord = false;
        }
      } else if (c == '\\' && i + 1 < line.length()) {
        w.append(line.charAt(++i));
        inWord = true;
      } else if ("\"$`;&|<>()*?[]~#\t".indexOf(c) >= 0) {
        return null;
      } else {
        w.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      out.add(w.toString());
    }
    return out;
  }

  private void effect(EcsEmulation.Write w, Action asSeen) {
    String incident = w.tags().get("sre-agent:incident");
    String key = w.key();
    if (incident == null || key == null) {
      unattributed.add(asSeen.canonical() + " by " + w.operation());
      return;
    }
    cluster.oracle().onEffect(cluster.clock().now(), asSeen,
        new ExecutionContext(incident, key, token(w.tags(), asSeen.target()), false));
  }

  private static long token(Map<String, String> tags, String target) {
    try {
      return Long.parseLong(tags.getOrDefault("sre-agent:fence:" + target, "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public void close() {
    aws.close();
  }
}

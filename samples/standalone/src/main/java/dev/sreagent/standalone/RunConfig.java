package dev.sreagent.standalone;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Phase;
import dev.sreagent.core.MetricMapping;
import dev.sreagent.k8s.KubernetesAdapter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The configuration of {@code sre-agent run}: {@code key = value} lines, {@code #} comments. Keys the run mode knows
 * are checked (every problem reported at once, with its line); every key is also handed to the agent's SPI providers
 * (so a plugin's settings live in the same file). Command-line options override the file.
 *
 * <pre>
 * otlp.listen = 127.0.0.1:4318            # HOST:PORT of the OTLP/HTTP receiver
 * admin.listen = 0.0.0.0:9464             # HOST:PORT of /metrics (Prometheus), /healthz and /readyz (default: off)
 * chatops.slack.channel = C0123ABCD       # plans waiting for approval go to this Slack channel (its ID), with
 *                                         # Approve/Reject buttons (sre-agent-chatops; all keys in the README)
 * chatops.slack.listen = 0.0.0.0:3000     # HOST:PORT serving POST /slack/interactions (the app's Request URL)
 *                                         # or chatops.teams.* (Microsoft Teams) with chatops.teams.listen
 * admin.stall-after = 5m                  # /healthz fails once the agent loop has not finished a tick this long
 * prometheus.url = http://prometheus:9090 # poll these default PromQL queries (optional)
 * prometheus.interval = 15s
 * phase = observe                         # the default phase: observe | assist | autonomous
 * phase.oom-kill = assist                 # per incident type
 * audit.file = sre-agent-data/audit.jsonl
 * audit.key-file = /etc/sre-agent/audit.key # keys the audit log (HMAC-SHA256); or audit.key-env = VARIABLE
 * guardrails.policy = guardrails.yaml     # may tighten the built-in guardrails, never loosen them
 * otlp.max-series-per-service = 10000
 * otlp.max-series-per-tenant = 100000
 * otlp.points-per-second = 1000000
 * otlp.max-sample-age = 1h
 * otlp.max-clock-skew = 5m
 * json = false                            # JSON lines on standard output
 * novelty.metrics = app.queue.depth       # custom metrics for the streaming scorer (sre-agent-detect's provider)
 * kubernetes.kubeconfig = ~/.kube/config  # act on a cluster (or kubernetes.in-cluster = true in a pod)
 * kubernetes.context = prod-eu            # a context of the kubeconfig other than its current one
 * kubernetes.namespaces = shop, payments  # required with either: watched, and the only ones changed
 * kubernetes.executors = restart, scale   # default all: restart, scale, rollback, truncate-logs, renew-certificate;
 *                                         # none = observe the cluster only
 * kubernetes.service-label = app.kubernetes.io/name
 * kubernetes.watch-nodes = true           # node NotReady events (needs the nodes ClusterRoleBinding)
 * kubernetes.check-permissions = true     # SelfSubjectAccessReviews at start, naming every missing verb
 * aws.region = eu-west-1                  # act on ECS (credentials: the AWS SDK's default chain)
 * aws.ecs.clusters = shop                 # required with aws.region: read, and the only ones changed
 * aws.ecs.executors = restart, scale      # default all: restart, scale, rollback; none = observe only
 * aws.ecs.service-tag = service.name      # the tag naming a service as its telemetry does; default its ECS name
 * aws.ecs.auto-scaling = true             # ask Application Auto Scaling (false: no service of them uses it)
 * aws.endpoint = http://127.0.0.1:4566    # an emulator (http on loopback only) or a VPC endpoint (https)
 * aws.acm = renew                         # ACM certificates tagged service.name: observe (time to expiry), or renew
 *                                         # (and renew PRIVATE ones); default off
 * aws.ssm = truncate-logs                 # empty the log directories on EC2 hosts with SSM Run Command; default off
 * aws.ssm.node-tag = sre-agent:truncate-logs=allowed
 *                                         # only hosts with this tag are commanded (this is the default)
 * aws.cloudwatch.ecs = true               # CPU and memory of every ECS service read at start, from CloudWatch
 * aws.cloudwatch.interval = 60s           # how often CloudWatch is polled
 * aws.cloudwatch.alb.checkout = app/shop/50dc6c495c0c9188, targetgroup/checkout/6d0ecf831eec9f09
 *                                         # p99 latency, error ratio and request rate of a service from its ALB
 *                                         # target group (dimension values or ARNs)
 * store = jdbc:postgresql://db:5432/sreagent # incidents and the audit log in a database (or jdbc:h2:file:/PATH)
 * store.user = sreagent
 * store.password-env = SRE_AGENT_DB_PASSWORD # the variable holding the password (never the password itself)
 * locks = etcd://etcd-0:2379,etcd-1:2379  # locks with fencing tokens shared by agents (or redis://HOST:PORT)
 * locks.password-env = SRE_AGENT_REDIS_PASSWORD # redis:// only: the variable holding the Redis password
 * events = redis://redis-0:6379           # incident events to a Redis stream (with a store: from its outbox)
 * events.password-env = SRE_AGENT_REDIS_PASSWORD # the variable holding that Redis's password
 * agent.id = agent-a                      # this agent's id (locks, audit, snapshots); required with shard
 * shard = etcd                            # share the services with the other agents registered in etcd (or none)
 * shard.endpoints = etcd://etcd-0:2379    # where they register; default the locks' etcd
 * shard.lease = 5s                        # a dead agent's services move after about this long (whole seconds, >= 2s)
 * shard.prefix = /sre-agent/shard/        # the agents that share the work share it
 * retention.outbox.max-age = 7d           # with a store: published outbox rows deleted past this age
 * retention.outbox.max-rows = 1000000     #   and beyond the newest this many
 * retention.incidents.max-ended = 10000   # with a store: ended incidents kept, the newest (the audit log keeps all)
 * retention.outbox.interval = 10m         #   both checked this often
 * topology.file = edges.csv               # a static call graph (CSV src,dst or YAML edges:), merged with spans' edges;
 *                                         #   several files separated by commas are merged (--topology repeated)
 * metrics.map.PodSuccessRate(%) = error-ratio * -0.01 + 1  # a metric of another name or unit onto a signal kind:
 * metrics.map.PodServerLatencyP99(s) = latency-p99         #   KIND [* SCALE] [+ OFFSET] (see MetricMapping)
 * detect.cpu.sustain = 2m                 # the built-in detectors' settings (see DetectorSettings: detect.latency.*,
 * detect.cpu.enabled = false              #   .errors.*, .memory.*, .disk.*, .certificates.*, .cpu.*, NAME.enabled)
 * </pre>
 */
final class RunConfig {
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern LINE = Pattern.compile("\\s*([A-Za-z0-9_.\\-]+)\\s*[=:]\\s*(.*?)\\s*");

  String otlpHost = "127.0.0.1";
  int otlpPort = 4318;
  /** The admin endpoints' host, or null when they are off (the default). */
  @Nullable String adminHost;
  /** Where Slack's interaction callbacks are served (chatops.slack.listen), when set. */
  @Nullable String slackHost;
  int slackPort;
  /** Where the Bot Connector's activities are served (chatops.teams.listen), when set. */
  @Nullable String teamsHost;
  int teamsPort;
  int adminPort;
  /**
   * Generous by default: with a store or shared locks a tick waits on them (retries included), and a restart does not
   * bring an unreachable database back; a hung plug-in is still caught within minutes.
   */
  Duration adminStallAfter = Duration.ofMinutes(5);
  @Nullable String prometheus;
  /** {@code metrics.map.NAME = KIND [* SCALE] [+ OFFSET]} rules, by source name (one per name). */
  final Map<String, MetricMapping.Rule> metricRules = new LinkedHashMap<>();
  /** {@code topology.file}: a static call graph merged with the learned one. */
  dev.sreagent.core.@Nullable StaticTopology topology;
  Duration prometheusInterval = Duration.ofSeconds(15);
  Phase phase = Phase.OBSERVE;
  final Map<IncidentType, Phase> phases = new LinkedHashMap<>();
  Path audit = Path.of("sre-agent-data", "audit.jsonl");
  @Nullable Path auditKeyFile;
  @Nullable String auditKeyEnv;
  @Nullable Path guardrails;
  /** A recording to replay on its own clock instead of listening ({@code replay.file}, {@code --replay}). */
  @Nullable Path replay;
  @Nullable Integer maxSeriesPerService;
  @Nullable Integer maxSeriesPerTenant;
  @Nullable Double pointsPerSecond;
  @Nullable Duration maxSampleAge;
  @Nullable Duration maxClockSkew;
  boolean json;
  @Nullable Path kubeconfig;
  @Nullable String kubeContext;
  boolean inCluster;
  final Set<String> kubeNamespaces = new TreeSet<>();
  @Nullable Set<KubernetesAdapter.ExecutorKind> kubeExecutors;
  @Nullable String kubeServiceLabel;
  boolean kubeWatchNodes = true;
  boolean kubeCheckPermissions = true;
  @Nullable String awsRegion;
  java.net.@Nullable URI awsEndpoint;
  final List<String> awsEcsClusters = new ArrayList<>();
  @Nullable Set<String> awsEcsExecutors;
  @Nullable String awsEcsServiceTag;
  boolean awsAutoScaling = true;
  boolean awsCloudWatchEcs;
  /** off, observe or renew. */
  String awsAcm = "off";
  /** aws.ssm = truncate-logs: the SSM Run Command executor. */
  boolean awsSsmTruncate;
  /** aws.ssm.node-tag as key and value; null: the executor's default. */
  @Nullable List<String> awsSsmNodeTag;
  Duration awsCloudWatchInterval = Duration.ofSeconds(60);
  /** Per service: its ALB and target group (aws.cloudwatch.alb.SERVICE = LB, TG). */
  final Map<String, List<String>> awsAlbTargets = new LinkedHashMap<>();
  /** Whether {@code audit.file} was given (it excludes {@code store}). */
  boolean auditFileSet;
  @Nullable String store;
  @Nullable String storeUser;
  @Nullable String storePasswordEnv;
  @Nullable Locks locks;
  @Nullable String locksPasswordEnv;
  @Nullable String events;
  @Nullable String eventsPasswordEnv;
  /** {@code agent.id}: null keeps the agent's default id. */
  @Nullable String agentId;
  /** {@code shard = etcd}: register with {@code EtcdMembership} and share the services. */
  boolean shard;
  /** {@code shard.endpoints}: null means the locks' etcd. */
  @Nullable Locks shardEndpoints;
  @Nullable Duration shardLease;
  @Nullable String shardPrefix;
  Duration outboxMaxAge = Duration.ofDays(7);
  long outboxMaxRows = 1_000_000;
  Duration retentionInterval = Duration.ofMinutes(10);
  long maxEndedIncidents = dev.sreagent.jdbc.IncidentRetention.DEFAULT_MAX_ENDED;
  /** Whether a retention.* key was given (they need a store). */
  boolean retentionSet;
  /** Every key of the file, for the SPI providers. */
  final Map<String, String> all = new LinkedHashMap<>();

  /** Reads {@code file}; the exception lists every problem as {@code file:line: message}. */
  static RunConfig read(Path file) throws IOException {
    List<String> problems = new ArrayList<>();
    RunConfig c = read(file, problems);
    if (!problems.isEmpty()) {
      throw new IOException(String.join(System.lineSeparator(), problems));
    }
    return c;
  }

  /**
   * Reads {@code file}, adding every bad line to {@code problems} as {@code file:line: message} (the good lines are
   * kept, so the caller can add the command line's problems and the cross-checks and report them all at once).
   *
   * @throws IOException when the file cannot be read
   */
  static RunConfig read(Path file, List<String> problems) throws IOException {
    RunConfig c = new RunConfig();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IOException("cannot read the config file " + file + ": " + e.getMessage(), e);
    }
    for (int i = 0; i < lines.size(); i++) {
      String text = dev.sreagent.api.config.ConfigView.lineText(lines.get(i));
      if (text.isEmpty()) {
        continue;
      }
      Matcher m = LINE.matcher(text);
      String where = file + ":" + (i + 1) + ": ";
      int eq = text.indexOf('=');
      boolean mapping = text.startsWith(MetricMapping.KEY_PREFIX) && eq > 0;  // metric names: any character but '='
      if (!mapping && !m.matches()) {
        problems.add(where + "expected 'key = value', got '" + text + "'");
        continue;
      }
      try {
        if (mapping) {
          c.set(text.substring(0, eq).strip(), text.substring(eq + 1).strip());
        } else {
          c.set(m.group(1), m.group(2));
        }
      } catch (IllegalArgumentException e) {
        problems.add(where + e.getMessage());
      }
    }
    return c;
  }

  /**
   * The call graph of {@code --topology} given once or more: each name is one file, taken whole (a comma or a space
   * in it is part of the name, unlike in {@code topology.file}'s list).
   */
  void setTopologyFiles(List<String> names) {
    all.put("topology.file", String.join(",", names));
    topology = topologies("--topology", names);
  }

  /** The files' edges merged, in order; the message of the exception names the file and the fix. */
  private static dev.sreagent.core.StaticTopology topologies(String key, List<String> names) {
    dev.sreagent.core.StaticTopology merged = null;
    for (String name : names) {
      Path file = home(name);
      try {
        dev.sreagent.core.StaticTopology one = dev.sreagent.core.StaticTopology.read(file);
        merged = merged == null ? one : merged.with(one);
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException(key + ": cannot read the call graph " + file + " (" + e.getMessage()
            + "); give a CSV (src,dst[,...]) or YAML (edges: [{from: a, to: b}]) file");
      }
    }
    if (merged == null) {
      throw new IllegalArgumentException(key + " names no file; give a call graph file (CSV src,dst or YAML"
          + " edges:), or several separated by commas");
    }
    return merged;
  }

  /** {@code name} as a path, {@code ~/} standing for the home directory (the shell does not expand it in a file). */
  private static Path home(String name) {
    return Path.of(name.startsWith("~/") ? System.getProperty("user.home") + name.substring(1) : name);
  }

  /** Sets one key (also used for the command-line options); the message of the exception names the fix. */
  void set(String key, String value) {
    all.put(key, value);
    if (key.startsWith(MetricMapping.KEY_PREFIX)) {
      MetricMapping.Rule rule = MetricMapping.parseRule(key.substring(MetricMapping.KEY_PREFIX.length()), value);
      if (metricRules.putIfAbsent(rule.source(), rule) != null) { // as bench rca --mapping: the first rule stays
        throw new IllegalArgumentException(MetricMapping.KEY_PREFIX + rule.source() + " is given twice; keep one rule"
            + " per metric");
      }
      return;
    }
    if (key.startsWith(dev.sreagent.detect.DetectorSettings.KEY_PREFIX)) {
      dev.sreagent.detect.DetectorSettings.check(key, value);  // handed to the builder with the other keys
      return;
    }
    switch (key) {
      case "topology.file" -> topology = topologies(key, java.util.Arrays.stream(value.split(","))
          .filter(name -> !name.isBlank()).map(String::strip).toList());
      case "otlp.listen" -> {
        java.util.Map.Entry<String, Integer> at = hostPort(key, value, "127.0.0.1:4318");
        otlpHost = at.getKey();
        otlpPort = at.getValue();
      }
      case "chatops.slack.listen" -> {
        java.util.Map.Entry<String, Integer> at = hostPort(key, value, "0.0.0.0:3000");
        slackHost = at.getKey();
        slackPort = at.getValue();
      }
      case "chatops.teams.listen" -> {
        java.util.Map.Entry<String, Integer> at = hostPort(key, value, "0.0.0.0:3978");
        teamsHost = at.getKey();
        teamsPort = at.getValue();
      }
      case "admin.listen" -> {
        java.util.Map.Entry<String, Integer> at = hostPort(key, value, "0.0.0.0:9464");
        adminHost = at.getKey();
        adminPort = at.getValue();
      }
      case "admin.stall-after" -> {
        Duration d = duration(key, value);
        if (d.compareTo(Duration.ofSeconds(5)) < 0) {
          throw new IllegalArgumentException(key + " must be at least 5s (the loop ticks every second; a probe that"
              + " fails between two ticks would restart a healthy agent), but was '" + value + "'");
        }
        adminStallAfter = d;
      }
      case "prometheus.url" -> {
        if (!value.startsWith("http://") && !value.startsWith("https://")) {
          throw new IllegalArgumentException(key + " must be a URL such as http://prometheus:9090, but was '"
              + value + "'");
        }
        prometheus = value;
      }
      case "prometheus.interval" -> prometheusInterval = duration(key, value);
      case "phase" -> phase = phase(key, value);
      case "audit.file" -> {
        audit = Path.of(value);
        auditFileSet = true;
      }
      case "store" -> store = store(key, value);
      case "store.user" -> storeUser = value;
      case "store.password-env" -> storePasswordEnv = envName(key, value, "SRE_AGENT_DB_PASSWORD", "password");
      case "locks" -> locks = Locks.parse(key, value);
      case "locks.password-env" -> locksPasswordEnv = envName(key, value, "SRE_AGENT_REDIS_PASSWORD", "password");
      case "events" -> events = events(key, value);
      case "events.password-env" -> eventsPasswordEnv = envName(key, value, "SRE_AGENT_REDIS_PASSWORD", "password");
      case "agent.id" -> agentId = agentId(key, value);
      case "shard" -> shard = switch (value.strip().toLowerCase(Locale.ROOT)) {
        case "etcd" -> true;
        case "none", "off", "false" -> false;
        default -> throw new IllegalArgumentException(key + " must be etcd (register in etcd and share the services"
            + " with the other agents there) or none, but was '" + value + "'");
      };
      case "shard.endpoints" -> {
        Locks l = Locks.parse(key, value);
        if (l.kind() != Locks.Kind.ETCD) {
          throw new IllegalArgumentException(key + " must be etcd://HOST:PORT[,HOST:PORT...] (the membership lives"
              + " in etcd only), but was '" + value + "'");
        }
        shardEndpoints = l;
      }
      case "shard.lease" -> shardLease = lease(key, value);
      case "shard.prefix" -> {
        if (!value.matches("/[A-Za-z0-9_.\\-/]*")) {
          throw new IllegalArgumentException(key + " must be an etcd key prefix such as /sre-agent/shard/ (starting"
              + " with '/'; letters, digits, '.', '_', '-', '/'), but was '" + value + "'");
        }
        shardPrefix = value;
      }
      case "retention.outbox.max-age" -> {
        outboxMaxAge = duration(key, value);
        retentionSet = true;
      }
      case "retention.outbox.max-rows" -> {
        outboxMaxRows = positiveInt(key, value);
        retentionSet = true;
      }
      case "retention.incidents.max-ended" -> {
        maxEndedIncidents = positiveInt(key, value);
        retentionSet = true;
      }
      case "retention.outbox.interval" -> {
        retentionInterval = duration(key, value);
        retentionSet = true;
      }
      case "audit.key-file" -> {
        if (auditKeyEnv != null) {
          throw new IllegalArgumentException("audit.key-file cannot be combined with audit.key-env " + auditKeyEnv
              + "; keep one");
        }
        auditKeyFile = Path.of(value);
      }
      case "audit.key-env" -> {
        if (auditKeyFile != null) {
          throw new IllegalArgumentException("audit.key-env cannot be combined with audit.key-file " + auditKeyFile
              + "; keep one");
        }
        if (!ENV_NAME.matcher(value).matches()) {
          // not quoted: it may be the key itself, which never belongs in the file
          throw new IllegalArgumentException(key + " must name an environment variable such as SRE_AGENT_AUDIT_KEY"
              + " (the key itself never goes into the file), but was a value of " + value.length() + " characters"
              + " that is not a variable name");
        }
        auditKeyEnv = value;
      }
      case "guardrails.policy" -> guardrails = Path.of(value);
      case "replay.file" -> {
        Path file = home(value);
        if (!java.nio.file.Files.isReadable(file)) {
          throw new IllegalArgumentException(key + ": cannot read the recording " + file + "; give OTLP/JSON lines,"
              + " Alertmanager notifications, or a long (timestamp,service,metric,value) or wide"
              + " (timestamp,<service>.<metric>,...) CSV");
        }
        replay = file;
      }
      case "otlp.max-series-per-service" -> maxSeriesPerService = positiveInt(key, value);
      case "otlp.max-series-per-tenant" -> maxSeriesPerTenant = positiveInt(key, value);
      case "otlp.points-per-second" -> pointsPerSecond = (double) positiveInt(key, value);
      case "otlp.max-sample-age" -> maxSampleAge = duration(key, value);
      case "otlp.max-clock-skew" -> maxClockSkew = duration(key, value);
      case "json" -> json = bool(key, value);
      case "kubernetes.kubeconfig" -> kubeconfig = home(value);
      case "kubernetes.context" -> kubeContext = value;
      case "kubernetes.in-cluster" -> inCluster = bool(key, value);
      case "kubernetes.namespaces" -> {
        kubeNamespaces.clear();
        for (String n : value.split(",")) {
          if (!n.isBlank()) {
            kubeNamespaces.add(n.strip());
          }
        }
        if (kubeNamespaces.isEmpty()) {
          throw new IllegalArgumentException(key + " must list namespaces such as 'shop, payments', but was '" + value
              + "'");
        }
      }
      case "kubernetes.executors" -> {
        Set<KubernetesAdapter.ExecutorKind> kinds = EnumSet.noneOf(KubernetesAdapter.ExecutorKind.class);
        if (!value.strip().equalsIgnoreCase("none")) {
          for (String n : value.split(",")) {
            try {
              kinds.add(KubernetesAdapter.ExecutorKind.of(n));
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException(key + ": " + e.getMessage() + ", or none");
            }
          }
        }
        kubeExecutors = kinds;
      }
      case "kubernetes.service-label" -> kubeServiceLabel = value;
      case "kubernetes.watch-nodes" -> kubeWatchNodes = bool(key, value);
      case "kubernetes.check-permissions" -> kubeCheckPermissions = bool(key, value);
      case "aws.region" -> {
        if (!value.matches("[a-z]{2}(-[a-z]+)+-\\d+")) {
          throw new IllegalArgumentException(key + " must be an AWS region such as eu-west-1, but was '" + value + "'");
        }
        awsRegion = value;
      }
      case "aws.endpoint" -> {
        java.net.URI u;
        try {
          u = java.net.URI.create(value);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(key + " must be a URL such as https://ecs.eu-west-1.amazonaws.com, but"
              + " was not one");
        }
        if (u.getRawUserInfo() != null) {  // never echoed: it may hold a secret
          throw new IllegalArgumentException(key + " must not carry credentials (user:password@): the AWS SDK signs"
              + " every request with the credentials of its default chain; remove them from the URL");
        }
        boolean loopback = "http".equals(u.getScheme()) && u.getHost() != null
            && (u.getHost().equals("127.0.0.1") || u.getHost().equals("localhost") || u.getHost().equals("[::1]"));
        if (!"https".equals(u.getScheme()) && !loopback) {
          throw new IllegalArgumentException(key + " must be https:// (plain http only to a loopback emulator, such"
              + " as http://127.0.0.1:4566), but was '" + value + "'");
        }
        awsEndpoint = u;
      }
      case "aws.ecs.clusters" -> {
        awsEcsClusters.clear();
        for (String n : value.split(",")) {
          if (!n.isBlank()) {
            awsEcsClusters.add(n.strip());
          }
        }
        if (awsEcsClusters.isEmpty()) {
          throw new IllegalArgumentException(key + " must list ECS clusters such as 'shop, payments', but was '"
              + value + "'");
        }
      }
      case "aws.ecs.executors" -> {
        Set<String> names = new java.util.LinkedHashSet<>();
        if (!value.strip().equalsIgnoreCase("none")) {
          for (String n : value.split(",")) {
            String name = n.strip().toLowerCase(Locale.ROOT);
            if (!dev.sreagent.aws.EcsAdapter.EXECUTORS.contains(name)) {
              throw new IllegalArgumentException(key + ": unknown executor '" + n.strip() + "'; known: "
                  + String.join(", ", dev.sreagent.aws.EcsAdapter.EXECUTORS) + ", or none");
            }
            names.add(name);
          }
        }
        awsEcsExecutors = names;
      }
      case "aws.ecs.service-tag" -> {
        if (value.isBlank()) {
          throw new IllegalArgumentException(key + " must name a tag (such as service.name), or be left out to name"
              + " services by their ECS names; it was empty");
        }
        awsEcsServiceTag = value;
      }
      case "aws.ecs.auto-scaling" -> awsAutoScaling = bool(key, value);
      case "aws.cloudwatch.ecs" -> awsCloudWatchEcs = bool(key, value);
      case "aws.acm" -> {
        if (!List.of("off", "observe", "renew").contains(value)) {
          throw new IllegalArgumentException(key + " must be off, observe (the certificates' time to expiry) or renew"
              + " (and renew PRIVATE ones), but was '" + value + "'");
        }
        awsAcm = value;
      }
      case "aws.ssm" -> {
        if (!List.of("off", "truncate-logs").contains(value)) {
          throw new IllegalArgumentException(key + " must be off or truncate-logs (empty the log directories of EC2"
              + " hosts tagged " + dev.sreagent.aws.SsmLogTruncateExecutor.DEFAULT_NODE_TAG_KEY + "="
              + dev.sreagent.aws.SsmLogTruncateExecutor.DEFAULT_NODE_TAG_VALUE + " with SSM Run Command), but was '"
              + value + "'");
        }
        awsSsmTruncate = value.equals("truncate-logs");
      }
      case "aws.ssm.node-tag" -> {
        int eq = value.indexOf('=');
        if (eq <= 0 || eq == value.length() - 1 || value.substring(0, eq).strip().isEmpty()
            || value.substring(eq + 1).strip().isEmpty()) {
          throw new IllegalArgumentException(key + " must be KEY=VALUE, the tag a host must carry to be commanded"
              + " (such as " + dev.sreagent.aws.SsmLogTruncateExecutor.DEFAULT_NODE_TAG_KEY + "="
              + dev.sreagent.aws.SsmLogTruncateExecutor.DEFAULT_NODE_TAG_VALUE + "), but was '" + value + "'");
        }
        awsSsmNodeTag = List.of(value.substring(0, eq).strip(), value.substring(eq + 1).strip());
      }
      case "aws.cloudwatch.interval" -> {
        Duration d = duration(key, value);
        if (d.compareTo(Duration.ofSeconds(10)) < 0) {
          throw new IllegalArgumentException(key + " must be at least 10s (CloudWatch bills every metric requested"
              + " per poll, and its finest standard period is a minute), but was '" + value + "'");
        }
        awsCloudWatchInterval = d;
      }
      default -> {
        if (key.startsWith("phase.")) {
          String type = key.substring("phase.".length());
          try {
            phases.put(IncidentType.of(type), phase(key, value));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
          }
        } else if (key.startsWith("admin.")) {
          throw new IllegalArgumentException("unknown key '" + key + "'; the admin.* keys are admin.listen,"
              + " admin.stall-after");
        } else if (key.startsWith("otlp.") || key.startsWith("prometheus.")) {
          throw new IllegalArgumentException("unknown key '" + key + "'; the otlp.* and prometheus.* keys are "
              + "otlp.listen, otlp.max-series-per-service, otlp.max-series-per-tenant, otlp.points-per-second, "
              + "otlp.max-sample-age, otlp.max-clock-skew, prometheus.url, prometheus.interval");
        } else if (key.startsWith("store.") || key.startsWith("locks.") || key.startsWith("events.")) {
          throw new IllegalArgumentException("unknown key '" + key + "'; the store.*, locks.* and events.* keys are"
              + " store.user, store.password-env, locks.password-env, events.password-env");
        } else if (key.startsWith("shard.") || key.startsWith("agent.") || key.startsWith("retention.")) {
          throw new IllegalArgumentException("unknown key '" + key + "'; the agent.*, shard.* and retention.* keys"
              + " are agent.id, shard, shard.endpoints, shard.lease, shard.prefix, retention.outbox.max-age,"
              + " retention.outbox.max-rows, retention.outbox.interval, retention.incidents.max-ended");
        } else if (key.startsWith("aws.cloudwatch.alb.")) {
          String service = key.substring("aws.cloudwatch.alb.".length());
          String[] parts = value.split(",");
          if (service.isBlank() || parts.length != 2) {
            throw new IllegalArgumentException(key + " must be 'aws.cloudwatch.alb.SERVICE = LOAD_BALANCER,"
                + " TARGET_GROUP' (dimension values app/NAME/ID and targetgroup/NAME/ID, or ARNs), but was '" + value
                + "'");
          }
          try {  // checked here, so a bad value is named at start with its line
            dev.sreagent.aws.CloudWatchMetrics.albTargetGroup(parts[0].strip(), parts[1].strip(), service);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
          }
          awsAlbTargets.put(service, List.of(parts[0].strip(), parts[1].strip()));
        } else if (key.startsWith("aws.")) {
          throw new IllegalArgumentException("unknown key '" + key + "'; the aws.* keys are aws.region, aws.endpoint,"
              + " aws.ecs.clusters, aws.ecs.executors, aws.ecs.service-tag, aws.ecs.auto-scaling, aws.acm, aws.ssm,"
              + " aws.ssm.node-tag, aws.cloudwatch.ecs,"
              + " aws.cloudwatch.interval, aws.cloudwatch.alb.SERVICE");
        } else if (key.startsWith("kubernetes.")) {
          throw new IllegalArgumentException("unknown key '" + key + "'; the kubernetes.* keys are "
              + "kubernetes.kubeconfig, kubernetes.context, kubernetes.in-cluster, kubernetes.namespaces, "
              + "kubernetes.executors, kubernetes.service-label, kubernetes.watch-nodes, "
              + "kubernetes.check-permissions");
        }
        // any other key belongs to an SPI provider
      }
    }
  }

  /** Whether the agent acts on a cluster (a kubeconfig or in-cluster configuration was given). */
  boolean kubernetes() {
    return kubeconfig != null || inCluster;
  }

  /** Whether the agent acts on ECS (a region and clusters were given). */
  boolean ecs() {
    return awsRegion != null && !awsEcsClusters.isEmpty();
  }

  /** What is wrong with the aws.* keys taken together, or null. */
  @Nullable String awsProblem() {
    if (awsRegion != null && awsEcsClusters.isEmpty()) {
      return "aws.region was given without aws.ecs.clusters: name the ECS clusters the agent reads and may change";
    }
    if (awsRegion == null && (!awsEcsClusters.isEmpty() || awsEcsExecutors != null || awsEcsServiceTag != null
        || awsEndpoint != null || awsCloudWatchEcs || !awsAlbTargets.isEmpty() || !awsAcm.equals("off")
        || awsSsmTruncate || awsSsmNodeTag != null)) {
      return "aws.* settings were given without aws.region: add the region of the ECS clusters, such as"
          + " aws.region = eu-west-1";
    }
    if (awsSsmNodeTag != null && !awsSsmTruncate) {
      return "aws.ssm.node-tag was given without aws.ssm = truncate-logs: add it, or remove the tag setting";
    }
    if (ecs() && kubernetes()) {
      return "aws.ecs.clusters and a Kubernetes cluster exclude each other (one topology per agent): run one agent"
          + " per platform";
    }
    return null;
  }

  /** Why {@code replay.file} cannot be used with the other keys, or null. */
  @Nullable String replayProblem() {
    if (replay == null) {
      return null;
    }
    List<String> live = new java.util.ArrayList<>();
    if (prometheus != null) {
      live.add("prometheus.url");
    }
    if (kubernetes()) {
      live.add("kubernetes.*");
    }
    if (ecs()) {
      live.add("aws.*");
    }
    if (shard) {
      live.add("shard");
    }
    // a replay writes audit records and detector snapshots stamped with recorded times: never into shared state
    if (store != null) {
      live.add("store");
    }
    if (locks != null) {
      live.add("locks");
    }
    if (events != null) {
      live.add("events");
    }
    return live.isEmpty() ? null : "replay.file (--replay) replays a recording on its own clock; it cannot be"
        + " combined with the live " + String.join(", ", live) + " (a replay writes records stamped with recorded"
        + " times; give it its own --audit file): remove them or the replay";
  }

  /** What is wrong with the kubernetes.* keys taken together, or null. */
  @Nullable String kubernetesProblem() {
    if (kubeconfig != null && inCluster) {
      return "kubernetes.kubeconfig (--kubeconfig) and kubernetes.in-cluster (--in-cluster) exclude each other; keep"
          + " one";
    }
    if (kubernetes() && kubeNamespaces.isEmpty()) {
      return "a cluster needs kubernetes.namespaces (--namespaces shop,payments): the namespaces the agent watches"
          + " and the only ones it may change";
    }
    if (!kubernetes() && (!kubeNamespaces.isEmpty() || kubeContext != null || kubeExecutors != null)) {
      return "kubernetes.* settings were given without a cluster: add kubernetes.kubeconfig (--kubeconfig FILE) or"
          + " kubernetes.in-cluster = true (--in-cluster)";
    }
    return null;
  }

  /** What is wrong with the store and locks keys taken together, or null. */
  @Nullable String sharedStateProblem() {
    if (store == null && (storeUser != null || storePasswordEnv != null)) {
      return "store.user and store.password-env were given without a store: add store = jdbc:postgresql://HOST/DB"
          + " (--store URL)";
    }
    if (store != null && auditFileSet) {
      return "audit.file (--audit) and store (--store) exclude each other: with a store the audit log is kept in the"
          + " database; keep one";
    }
    if (store != null && store.startsWith("jdbc:postgresql:") && storeUser == null) {
      return "store " + store + " needs store.user (--store-user NAME), and store.password-env (--store-password-env"
          + " VARIABLE) unless the server trusts this host";
    }
    if (eventsPasswordEnv != null && events == null) {
      return "events.password-env was given without events: add events = redis://HOST:PORT (--events URL)";
    }
    if (locksPasswordEnv != null && (locks == null || locks.kind() != Locks.Kind.REDIS)) {
      return "locks.password-env is for locks = redis://HOST:PORT, but locks was " + (locks == null ? "not set"
          : "'" + locks.text() + "'");
    }
    return null;
  }

  /**
   * What is wrong with the agent.*, shard.* and retention.* keys taken together (every problem, each naming the key
   * and the fix); empty when nothing is. Checked before any connection is made.
   */
  List<String> shardProblems() {
    List<String> problems = new ArrayList<>();
    if (shard) {
      if (shardEndpoints == null && (locks == null || locks.kind() != Locks.Kind.ETCD)) {
        problems.add("shard = etcd (--shard) registers the agent in etcd, but no etcd was given: set locks ="
            + " etcd://HOST:PORT (--locks etcd://HOST:PORT) or shard.endpoints = etcd://HOST:PORT"
            + (locks == null ? "" : " (locks is '" + locks.text() + "')"));
      }
      if (agentId == null) {
        problems.add("shard = etcd (--shard) needs agent.id (--agent-id ID): an id of this agent's own, unique"
            + " among the agents that share the work (such as the pod or host name)");
      }
    } else if (shardEndpoints != null || shardLease != null || shardPrefix != null) {
      List<String> given = new ArrayList<>();
      if (shardEndpoints != null) {
        given.add("shard.endpoints");
      }
      if (shardLease != null) {
        given.add("shard.lease");
      }
      if (shardPrefix != null) {
        given.add("shard.prefix");
      }
      problems.add(String.join(", ", given) + " given without shard: add shard = etcd (--shard), or remove "
          + (given.size() == 1 ? "it" : "them"));
    }
    if (retentionSet && store == null) {
      problems.add("retention.* keys were given without a store: they bound the store's outbox and incidents; add"
          + " store = jdbc:... (--store URL), or remove them");
    }
    return problems;
  }

  /** The etcd client URLs of the shard membership: {@code shard.endpoints}, else the locks' etcd. */
  List<String> shardEtcd() {
    return shardEndpoints != null ? shardEndpoints.endpoints()
        : locks != null && locks.kind() == Locks.Kind.ETCD ? locks.endpoints() : List.of();
  }

  /**
   * Where the locks live: {@code etcd://host:port[,host:port...]} (as {@code http://} client URLs) or
   * {@code redis://host:port[/db]} ({@code rediss://} with TLS).
   *
   * @param kind etcd or Redis
   * @param text the value as given
   * @param endpoints the etcd client URLs, or the one Redis URI
   */
  record Locks(Kind kind, String text, List<String> endpoints) {
    enum Kind { ETCD, REDIS }

    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.\\-]+):(\\d{1,5})");

    static Locks parse(String key, String value) {
      String v = value.strip();
      String fix = key + " must be etcd://HOST:PORT[,HOST:PORT...] (etcd's client URLs, e.g. etcd://127.0.0.1:2379)"
          + " or redis://HOST:PORT (e.g. redis://127.0.0.1:6379), but was '" + value + "'";
      if (v.startsWith("etcd://")) {
        List<String> endpoints = new ArrayList<>();
        for (String hp : v.substring("etcd://".length()).split(",")) {
          if (!HOST_PORT.matcher(hp.strip()).matches()) {
            throw new IllegalArgumentException(fix + ": '" + hp.strip() + "' is not HOST:PORT");
          }
          endpoints.add("http://" + hp.strip());
        }
        return new Locks(Kind.ETCD, v, List.copyOf(endpoints));
      }
      if (v.startsWith("redis://") || v.startsWith("rediss://")) {
        String rest = v.substring(v.indexOf("//") + 2);
        if (rest.contains("@")) {
          throw new IllegalArgumentException(key + " must not carry a password (it would sit in the file or the"
              + " command line): name an environment variable with locks.password-env instead; the value was a"
              + " redis URI with credentials");
        }
        int slash = rest.indexOf('/');
        if (!HOST_PORT.matcher(slash < 0 ? rest : rest.substring(0, slash)).matches()) {
          throw new IllegalArgumentException(fix + ": the Redis URI needs HOST:PORT");
        }
        return new Locks(Kind.REDIS, v, List.of(v));
      }
      String scheme = v.contains("://") ? v.substring(0, v.indexOf("://")) : "";
      throw new IllegalArgumentException(fix + (scheme.isEmpty() ? "" : ": unknown scheme '" + scheme + "'"));
    }
  }

  /** A Redis URI for the event stream, without credentials (those come from {@code events.password-env}). */
  private static String events(String key, String value) {
    String v = value.strip();
    String fix = key + " must be redis://HOST:PORT[/DB] (or rediss:// with TLS), e.g. redis://127.0.0.1:6379, but"
        + " was '" + value + "'";
    if (!v.startsWith("redis://") && !v.startsWith("rediss://")) {
      throw new IllegalArgumentException(fix);
    }
    String rest = v.substring(v.indexOf("//") + 2);
    if (rest.contains("@")) {
      throw new IllegalArgumentException(key + " must not carry a password (it would sit in the file or the"
          + " command line): name an environment variable with events.password-env instead; the value was a"
          + " redis URI with credentials");
    }
    int slash = rest.indexOf('/');
    if (!Locks.HOST_PORT.matcher(slash < 0 ? rest : rest.substring(0, slash)).matches()) {
      throw new IllegalArgumentException(fix + ": the Redis URI needs HOST:PORT");
    }
    return v;
  }

  private static String store(String key, String value) {
    String v = value.strip();
    if (v.toLowerCase(Locale.ROOT).contains("password=")) {
      throw new IllegalArgumentException(key + " must not carry a password (it would sit in the file or the command"
          + " line): set store.user and name an environment variable with store.password-env; the value was a URL"
          + " with a password parameter");
    }
    if (v.matches("jdbc:postgresql://[^/\\s]+/[^\\s]+") || v.matches("jdbc:h2:(file:)?[^\\s]+")) {
      if (v.startsWith("jdbc:h2:mem:")) {
        throw new IllegalArgumentException(key + " must be a database that outlives the process, but was '" + value
            + "' (in memory); use jdbc:h2:file:/PATH or jdbc:postgresql://HOST:PORT/DATABASE");
      }
      return v;
    }
    String scheme = v.startsWith("jdbc:") && v.indexOf(':', 5) > 0 ? v.substring(5, v.indexOf(':', 5)) : "";
    throw new IllegalArgumentException(key + " must be jdbc:postgresql://HOST[:PORT]/DATABASE (PostgreSQL) or"
        + " jdbc:h2:file:/PATH (embedded H2, one process), but was '" + value + "'"
        + (scheme.isEmpty() ? "" : "; the '" + scheme + "' driver is not supported"));
  }

  private static String envName(String key, String value, String example, String what) {
    if (!ENV_NAME.matcher(value).matches()) {
      // not quoted: it may be the secret itself, which never belongs in the file
      throw new IllegalArgumentException(key + " must name an environment variable such as " + example + " (the "
          + what + " itself never goes into the file or the command line), but was a value of " + value.length()
          + " characters that is not a variable name");
    }
    return value;
  }

  private static String agentId(String key, String value) {
    if (!value.matches("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,62}")) {
      throw new IllegalArgumentException(key + " must be an id of letters, digits, '.', '_' and '-' (at most 63,"
          + " starting with a letter or digit) such as agent-a or the pod name, but was '" + value + "'");
    }
    return value;
  }

  private static Duration lease(String key, String value) {
    Duration d = duration(key, value);
    if (d.toMillis() < 2000 || d.toMillis() % 1000 != 0) {
      throw new IllegalArgumentException(key + " must be whole seconds, at least 2s (etcd grants no shorter lease),"
          + " such as 5s, but was '" + value + "'");
    }
    return d;
  }

  private static Phase phase(String key, String value) {
    try {
      return Phase.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + " must be observe, assist or autonomous, but was '" + value + "'");
    }
  }

  static Duration duration(String key, String value) {
    return ConfigView.parseDuration(key, value);
  }

  private static int positiveInt(String key, String value) {
    try {
      int n = Integer.parseInt(value.replace("_", ""));
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(key + " must be a positive whole number, but was '" + value + "'");
  }

  private static boolean bool(String key, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new IllegalArgumentException(key + " must be true or false, but was '" + value + "'");
    };
  }

  /** HOST:PORT (port 0 to 65535; 0 picks a free one), or an error naming the key and an example. */
  private static java.util.Map.Entry<String, Integer> hostPort(String key, String value, String example) {
    int colon = value.lastIndexOf(':');
    try {
      String host = value.substring(0, colon);
      int port = Integer.parseInt(value.substring(colon + 1));
      if (host.isBlank() || port < 0 || port > 65535) {
        throw new IllegalArgumentException();
      }
      return java.util.Map.entry(host, port);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(key + " must be HOST:PORT such as " + example + ", but was '" + value + "'");
    }
  }

}

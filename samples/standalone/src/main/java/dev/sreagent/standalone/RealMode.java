package dev.sreagent.standalone;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.core.MetricMapping;
import dev.sreagent.core.ModelJson;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.audit.AuditKey;
import dev.sreagent.core.audit.HashChainedAuditLog;
import dev.sreagent.core.execution.ExecutorPolicy;
import dev.sreagent.core.runtime.BackgroundRunner;
import dev.sreagent.k8s.KubernetesAdapter;
import dev.sreagent.k8s.MissingPermissionsException;
import dev.sreagent.otel.OtlpHttpReceiver;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;

/**
 * {@code sre-agent run}: the agent on real telemetry. An OTLP/HTTP receiver (default 127.0.0.1:4318), phase OBSERVE
 * by default, the call graph learned from the spans it receives, one line per
 * incident event on standard output (or JSON lines with {@code --json}), the audit log in {@code --audit FILE}
 * (keyed with {@code audit.key-file} or {@code audit.key-env}; {@code --accept-audit-tail REASON} accepts, audited,
 * records its head does not cover; a replay without {@code audit.file} writes a fresh one in a new temporary directory,
 * so that it does not rebuild an earlier replay's incidents).
 * With {@code --kubeconfig FILE} (or {@code --in-cluster}) and {@code --namespaces}, the agent works on that cluster
 * through {@link KubernetesAdapter}: the topology and change events from informers, and the Kubernetes executors
 * (which act only in ASSIST after an approval or in AUTONOMOUS; OBSERVE never executes), after a permission check
 * that names every missing verb. Without a cluster no executor is configured and nothing executes in any phase.
 * With {@code store} ({@code --store}) the incidents and the audit log live in a database and with {@code locks}
 * ({@code --locks}) the locks in etcd or Redis ({@link SharedState}), so several agents and restarts share them;
 * with {@code --shard} (and {@code --agent-id}) the agents registered in etcd divide the services among them.
 * Stops cleanly on SIGTERM / Ctrl-C: the receiver closes, the last tick runs, the audit log, the store, the locks and
 * the informers are closed.
 */
final class RealMode {
  /** The policy of the Kubernetes executors: the defaults with a 6-minute time limit (their waits take up to 5). */
  static final ExecutorPolicy KUBERNETES_EXECUTORS = ExecutorPolicy.defaults().withTimeout(Duration.ofMinutes(6));

  private RealMode() {}

  /** The cluster's topology with {@code edges}' calls added (the services and revisions stay the cluster's). */
  static dev.sreagent.api.port.TopologyProvider withStaticEdges(dev.sreagent.api.port.TopologyProvider cluster,
      dev.sreagent.core.StaticTopology edges) {
    return () -> {
      dev.sreagent.api.model.Topology t = cluster.topology();
      java.util.Set<dev.sreagent.api.model.Topology.Dependency> all = new java.util.LinkedHashSet<>(t.dependencies());
      all.addAll(edges.topology().dependencies());
      return new dev.sreagent.api.model.Topology(t.services(), all);
    };
  }

  static int run(List<String> args, PrintStream out, PrintStream err, @Nullable CountDownLatch stop) {
    return run(args, out, err, stop, System::getenv);
  }

  /** As above, reading the environment variables the configuration names through {@code environment}. */
  static int run(List<String> args, PrintStream out, PrintStream err, @Nullable CountDownLatch stop,
      java.util.function.Function<String, @Nullable String> environment) {
    RunConfig c = new RunConfig();
    // every problem of the file, the options and their combination, reported at once before any connection
    List<String> problems = new java.util.ArrayList<>();
    int configAt = args.indexOf("--config");
    if (configAt >= 0) {
      if (configAt + 1 >= args.size()) {
        err.println("--config needs a file (key = value lines; see the README)");
        return 2;
      }
      try {
        c = RunConfig.read(Path.of(args.get(configAt + 1)), problems);
      } catch (java.io.IOException e) {
        err.println(e.getMessage());
        return 2;
      }
    }
    @Nullable String acceptTail = null;
    List<String> topologies = new java.util.ArrayList<>();
    Map<String, String> question = new java.util.TreeMap<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      try {
        switch (a) {
          case "--config" -> i++;
          case "--otlp" -> c.set("otlp.listen", value(args, ++i, "--otlp must be HOST:PORT"));
          case "--admin" -> c.set("admin.listen", value(args, ++i, "--admin must be HOST:PORT"));
          case "--json" -> c.json = true;
          case "--prometheus" -> c.set("prometheus.url", value(args, ++i, "--prometheus needs a URL such as"
              + " http://prometheus:9090"));
          case "--audit" -> c.set("audit.file", value(args, ++i, "--audit needs a file"));
          case "--phase" -> c.set("phase", value(args, ++i, "--phase needs observe, assist or autonomous"));
          case "--kubeconfig" -> c.set("kubernetes.kubeconfig", value(args, ++i, "--kubeconfig needs a kubeconfig"
              + " file such as ~/.kube/config"));
          case "--context" -> c.set("kubernetes.context", value(args, ++i, "--context needs a kubeconfig context"));
          case "--in-cluster" -> c.set("kubernetes.in-cluster", "true");
          case "--namespaces" -> c.set("kubernetes.namespaces", value(args, ++i, "--namespaces needs namespaces"
              + " such as shop,payments"));
          case "--store" -> c.set("store", value(args, ++i, "--store needs a JDBC URL such as"
              + " jdbc:postgresql://db:5432/sreagent or jdbc:h2:file:/var/lib/sre-agent/db"));
          case "--store-user" -> c.set("store.user", value(args, ++i, "--store-user needs a database user"));
          case "--store-password-env" -> c.set("store.password-env", value(args, ++i, "--store-password-env needs"
              + " the name of an environment variable holding the password"));
          case "--locks" -> c.set("locks", value(args, ++i, "--locks needs etcd://HOST:PORT[,HOST:PORT] or"
              + " redis://HOST:PORT"));
          case "--events" -> c.set("events", value(args, ++i, "--events needs redis://HOST:PORT"));
          case "--agent-id" -> c.set("agent.id", value(args, ++i, "--agent-id needs an id such as agent-a (unique"
              + " among the agents that share the work)"));
          case "--shard" -> c.set("shard", "etcd");
          case "--replay" -> c.set("replay.file", value(args, ++i, "--replay needs a recording: OTLP/JSON lines,"
              + " Alertmanager notifications, or a long or wide CSV"));
          // the operator's question after a replay (ReplayQuestion), read once after the loop
          case "--rank-at", "--rank-services", "--rank-symptom" -> ReplayQuestion.option(question, a,
              value(args, ++i, a + " needs a value: " + ReplayQuestion.OPTIONS));
          // repeated: the files' edges are merged (a graph and the edges it does not show), read once after the loop
          case "--topology" -> topologies.add(value(args, ++i, "--topology needs a call graph file: CSV (src,dst) or"
              + " YAML (edges: [{from: a, to: b}])"));
          case "--events-password-env" -> c.set("events.password-env", value(args, ++i, "--events-password-env"
              + " needs the name of an environment variable holding the Redis password"));
          case "--accept-audit-tail" -> {
            acceptTail = value(args, ++i, "--accept-audit-tail needs a REASON (recorded in the audit log)");
            if (acceptTail.isBlank() || acceptTail.startsWith("--")) {
              throw new IllegalArgumentException("--accept-audit-tail needs a REASON (recorded in the audit log),"
                  + " but was '" + acceptTail + "'");
            }
          }
          default -> {
            err.println("unknown option '" + a + "' for run; options: --config FILE, --otlp HOST:PORT,"
                + " --admin HOST:PORT, --prometheus URL, --phase PHASE, --json, --audit FILE,"
                + " --accept-audit-tail REASON, --kubeconfig FILE, --context NAME, --in-cluster,"
                + " --namespaces NS[,NS...], --store URL,"
                + " --store-user USER, --store-password-env VARIABLE, --locks URL, --events URL,"
                + " --events-password-env VARIABLE, --agent-id ID, --shard, --topology FILE, --replay FILE, "
                + String.join(", ", ReplayQuestion.OPTIONS));
            return 2;
          }
        }
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage().replace("otlp.listen", "--otlp").replace("admin.listen", "--admin")
            .replace("prometheus.url", "--prometheus").replace("audit.file", "--audit")
            .replace("kubernetes.namespaces", "--namespaces")
            .replace("store.password-env", "--store-password-env").replace("locks must", "--locks must")
            .replace("events must", "--events must").replace("events.password-env", "--events-password-env")
            .replace("store must", "--store must").replace("agent.id must", "--agent-id must"));
      }
    }
    if (!topologies.isEmpty()) {
      try {
        c.setTopologyFiles(topologies);
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    String kubeProblem = c.kubernetesProblem();
    if (kubeProblem != null) {
      problems.add(kubeProblem);
    }
    String awsProblem = c.awsProblem();
    if (awsProblem != null) {
      problems.add(awsProblem);
    }
    String replayProblem = c.replayProblem();
    if (replayProblem != null) {
      problems.add(replayProblem);
    }
    @Nullable ReplayQuestion asked = null;
    if (!question.isEmpty()) {
      if (!question.containsKey("--rank-at")) {
        problems.add(String.join(" and ", question.keySet()) + " describe the question --rank-at TIME asks; add"
            + " --rank-at");
      } else if (c.replay == null) {
        problems.add("--rank-at asks about a replay (--replay FILE); a live agent answers the same question through"
            + " the library: SreAgent.rankCandidates(at, services, symptom)");
      } else {
        try {
          asked = ReplayQuestion.parse(question.get("--rank-at"), question.get("--rank-services"),
              question.get("--rank-symptom"));
        } catch (IllegalArgumentException e) {
          problems.add(e.getMessage());
        }
      }
    }
    String sharedProblem = c.sharedStateProblem();
    if (sharedProblem == null && c.store != null && acceptTail != null) {
      sharedProblem = "--accept-audit-tail is for the audit file; a store (--store) keeps the audit log in the"
          + " database, whose head is written in the same transaction as each record";
    }
    if (sharedProblem != null) {
      problems.add(sharedProblem);
    }
    problems.addAll(c.shardProblems());
    if (!problems.isEmpty()) {
      problems.forEach(err::println);
      return 2;
    }
    OtlpHttpReceiver.Builder receiver = OtlpHttpReceiver.builder().setHost(c.otlpHost).setPort(c.otlpPort);
    if (c.maxSeriesPerService != null) {
      receiver.setMaxSeriesPerService(c.maxSeriesPerService);
    }
    if (c.maxSeriesPerTenant != null) {
      receiver.setMaxSeriesPerTenant(c.maxSeriesPerTenant);
    }
    if (c.pointsPerSecond != null) {
      receiver.setPointsPerSecond(c.pointsPerSecond);
    }
    if (c.maxSampleAge != null) {
      receiver.setMaxSampleAge(c.maxSampleAge);
    }
    if (c.maxClockSkew != null) {
      receiver.setMaxClockSkew(c.maxClockSkew);
    }
    @Nullable Recording recording = null;
    if (c.replay != null) {
      try {
        recording = Recording.open(c.replay);
      } catch (java.io.IOException | IllegalArgumentException e) {
        err.println("cannot replay: " + e.getMessage());
        return 2;
      }
      receiver.setListen(false).setClock(recording.clock());
      if (!c.auditFileSet) { // a replay starts clean: never the incidents an earlier replay left in sre-agent-data
        try {
          c.audit = java.nio.file.Files.createTempDirectory("sre-agent-replay-").resolve("audit.jsonl");
        } catch (java.io.IOException e) {
          err.println("cannot replay: no temporary directory for the replay's audit log (" + e.getMessage() + "); give"
              + " it a file with --audit FILE");
          recording.close();
          return 2;
        }
      }
    }
    @Nullable AdminServer admin = null;
    if (c.adminHost != null && recording != null) {
      out.println("sre-agent run: admin.listen ignored: a replay serves no /metrics, /healthz or /readyz");
    } else if (c.adminHost != null) {
      try {  // bound first: a taken port stops the start before the receiver, the cluster or the audit log
        admin = new AdminServer(c.adminHost, c.adminPort, c.adminStallAfter);
      } catch (java.io.IOException | RuntimeException e) {
        err.println("cannot start: admin.listen " + c.adminHost + ":" + c.adminPort + ": " + e.getMessage()
            + " (another process on that port? choose another, or 0 for a free one)");
        return 2;
      }
    }
    @Nullable ChatOps chatOps = null;
    if (ChatOps.configured(c) && recording != null) {
      out.println("sre-agent run: chatops.* ignored: a replay asks nobody for approval");
    } else if (ChatOps.configured(c)) {
      try {
        chatOps = ChatOps.open(c, environment);
      } catch (dev.sreagent.api.config.ConfigurationException e) {
        if (admin != null) {
          admin.close();
        }
        err.println("cannot start: the " + ChatOps.named(c) + " approvals are misconfigured:");
        e.problems().forEach(p -> err.println("  " + p));
        return 2;
      } catch (java.io.IOException e) {
        if (admin != null) {
          admin.close();
        }
        err.println("cannot start: " + e.getMessage());
        return 2;
      }
    }
    OtlpHttpReceiver otlp = receiver.build();
    MetricMapping mapping = MetricMapping.of(c.metricRules.values());
    dev.sreagent.api.port.TelemetrySource otlpSource = mapping.wrap(otlp);
    boolean asJson = c.json;
    SreAgent agent;
    @Nullable Cluster cluster = null;
    @Nullable EcsPlatform ecs = null;
    @Nullable SharedState shared = null;
    try {
      // diagnoses off the loop thread: a language model that takes seconds must not stall the other incidents
      java.util.concurrent.ExecutorService diagnoses = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sre-agent-diagnosis");
        t.setDaemon(true);
        return t;
      });
      var builder = SreAgent.builder().addTelemetrySource(otlpSource).setDefaultPhase(c.phase)
          .setConfig(c.all).addNotifier(e -> out.println(asJson ? jsonLine(e) : textLine(e)));
      if (recording != null) {
        builder.setClock(recording.clock()); // diagnoses on the loop thread: the replay is reproducible
      } else {
        builder.setDiagnosisExecutor(diagnoses);
      }
      c.phases.forEach(builder::setPhase);
      if (c.agentId != null) {
        builder.setSettings(dev.sreagent.core.AgentSettings.defaults().withAgentId(c.agentId));
      }
      @Nullable AuditKey auditKey = c.auditKeyFile != null ? AuditKey.fromFile(c.auditKeyFile)
          : c.auditKeyEnv != null ? AuditKey.fromEnvironment(c.auditKeyEnv) : null;
      shared = SharedState.open(c, environment, auditKey);
      if (shared.hasStore()) {
        shared.configure(builder); // the key went to the store
      } else {
        builder.setAuditFile(c.audit);
        if (auditKey != null) {
          builder.setAuditKey(auditKey);
        }
        shared.configure(builder);
      }
      if (acceptTail != null) {
        builder.acceptUnverifiedAuditTail(System.getProperty("user.name", "operator"), acceptTail);
      }
      if (c.guardrails != null) {
        builder.setGuardrailPolicy(c.guardrails);
      }
      if (c.prometheus != null) {
        builder.addTelemetrySource(mapping.wrap(dev.sreagent.otel.PrometheusSource.builder(c.prometheus)
            .setInterval(c.prometheusInterval).build()));
      }
      if (c.kubernetes()) {
        cluster = Cluster.connect(c);
        builder.setTopologyProvider(c.topology == null ? cluster.adapter().topology()
                : withStaticEdges(cluster.adapter().topology(), c.topology))
            .addTelemetrySource(cluster.adapter().changeEvents());
        // the restart waves, a rolling restart's rollout and the certificate check wait up to 5 min each: a time
        // limit above that, so a wait that ends in time is not cut off and reconciled
        cluster.adapter().executors().forEach(e -> builder.addExecutor(e, KUBERNETES_EXECUTORS));
      }
      if (c.ecs()) {
        ecs = EcsPlatform.connect(c);
        builder.setTopologyProvider(c.topology == null ? ecs.adapter().topology()
            : withStaticEdges(ecs.adapter().topology(), c.topology));
        ecs.adapter().executors().forEach(e -> builder.addExecutor(e, EcsPlatform.ECS_EXECUTORS));
        if (ecs.cloudWatch() != null) {
          builder.addTelemetrySource(ecs.cloudWatch());
        }
        if (ecs.certificates() != null) {
          builder.addTelemetrySource(ecs.certificates());
        }
        if (ecs.renewals() != null) {
          builder.addExecutor(ecs.renewals(), EcsPlatform.ECS_EXECUTORS);
        }
        if (ecs.truncation() != null) {
          builder.addExecutor(ecs.truncation(), EcsPlatform.ECS_EXECUTORS);
        }
      }
      if (c.topology != null && !c.kubernetes() && !c.ecs()) {
        builder.setTopologyProvider(c.topology);
      }
      if (chatOps != null) {
        chatOps.configure(builder);
      }
      agent = builder.build();
      agent.start();
      if (chatOps != null) {
        chatOps.attach(agent);
      }
      if (admin != null) {
        admin.attach(agent, otlp);
        if (chatOps != null) {
          if (chatOps.service().equals("slack")) {
            admin.attachSlack(chatOps::counters);
          } else {
            admin.attachTeams(chatOps::counters);
          }
        }
      }
    } catch (RuntimeException e) {
      if (admin != null) {
        admin.close();
      }
      if (chatOps != null) {
        chatOps.close();
      }
      if (cluster != null) {
        cluster.close();
      }
      if (ecs != null) {
        ecs.close();
      }
      if (shared != null) {
        shared.close();
      }
      otlp.close();
      if (recording != null) {
        recording.close();
      }
      err.println("cannot start: " + e.getMessage());
      return 2;
    }
    // the SIGTERM hook before the start line: whoever stops the agent as soon as it says it runs stops it cleanly
    CountDownLatch done = stop != null ? stop : new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(1);
    if (stop == null && recording == null) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> { // let the main thread drain and close first
        done.countDown();
        try {
          finished.await(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "sre-agent-shutdown"));
    }
    out.printf(Locale.ROOT, "sre-agent run: %s%s, phase %s, audit %s%s; %s%n", recording != null
        ? recording.describe() : String.format(Locale.ROOT, "OTLP/HTTP on http://%s:%d (protobuf or JSON; /v1/metrics,"
        + " /v1/traces, /v1/logs, /v1/alertmanager)", c.otlpHost, otlp.port()),
        c.prometheus == null ? "" : ", polling Prometheus " + c.prometheus, c.phase,
        shared.hasStore() ? "in the store" : c.audit.toAbsolutePath(),
        shared.hasStore() ? (auditKeyed(c) ? " (keyed)" : " (unkeyed)")
            : (agent.auditLog() instanceof HashChainedAuditLog log && log.keyed() ? " (keyed" : " (unkeyed")
            + (recording != null && !c.auditFileSet ? ", fresh for this replay; --audit FILE to keep one)" : ")"),
        shared.describe());
    if (cluster != null) {
      out.println("sre-agent run: kubernetes " + cluster.where() + ": " + cluster.adapter().describe());
    }
    if (ecs != null) {
      out.println("sre-agent run: " + ecs.where() + ": " + ecs.describe());
    }
    if (c.topology != null) {
      out.println("sre-agent run: static call graph of " + c.topology.topology().dependencies().size() + " edges from "
          + c.all.get("topology.file") + ", merged with the edges learned from spans");
    }
    if (!mapping.isEmpty()) {
      out.println("sre-agent run: metrics mapped onto the detectors' signals: " + mapping);
    }
    dev.sreagent.detect.DetectorSettings detection = dev.sreagent.detect.DetectorSettings.of(c.all);
    if (!detection.toString().isEmpty()) {
      out.println("sre-agent run: built-in detectors set by configuration: " + detection);
    }
    if (admin != null) {
      out.printf(Locale.ROOT, "sre-agent run: admin on http://%s:%d (/metrics, /healthz, /readyz)%n", c.adminHost,
          admin.port());
    }
    if (chatOps != null) {
      out.println("sre-agent run: " + chatOps.describe());
    }
    if (recording != null) {
      int code = 0;
      java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
      try {
        if (asked != null) {
          ReplayQuestion q = asked;
          recording.feed(otlp, agent, out, q.askAfter(), () -> {
            answered.set(true);
            q.answer(agent, asJson, out);
          });
        } else {
          recording.feed(otlp, agent, out);
        }
      } catch (java.io.IOException e) {
        err.println("cannot replay further: " + e.getMessage() + " (" + recording.fed() + " records were fed; the"
            + " replay stops there" + (asked != null && !answered.get() ? "; --rank-at not answered: fix the line or cut the recording"
            + " before it" : "") + ")");
        code = 2;
      }
      otlp.close();
      agent.close();
      shared.close();
      out.flush();
      return code;
    }
    BackgroundRunner runner = agent.runInBackground(Duration.ofSeconds(1));
    if (admin != null) {
      admin.running(runner);
    }
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (admin != null) {
      admin.stopping();
    }
    try {
      runner.close();
      otlp.close();
      if (chatOps != null) {
        chatOps.stopListening();
      }
      agent.tick();
      agent.close();
      if (chatOps != null) {
        chatOps.close();  // after the agent: the last events reach the threads
      }
    } finally {
      if (admin != null) {
        admin.close();  // before the store closes: no scrape reads a closed agent
      }
    }
    if (cluster != null) {
      cluster.close();
    }
    if (ecs != null) {
      ecs.close();
    }
    boolean sharded = shared.shard() != null;
    shared.close();
    out.println("sre-agent run: stopped" + (sharded ? "; left the shard (its etcd registration revoked)" : "")
        + "; receiver counters " + otlp.counters());
    out.flush();
    finished.countDown();
    return 0;
  }

  private static boolean auditKeyed(RunConfig c) {
    return c.auditKeyFile != null || c.auditKeyEnv != null;
  }

  /** The client and the adapter on one cluster; closes both. */
  record Cluster(KubernetesClient client, KubernetesAdapter adapter, String where) implements AutoCloseable {
    /**
     * Connects with the kubeconfig (its current context or {@code kubernetes.context}) or the in-cluster service
     * account, checks the permissions and starts the informers.
     *
     * @throws IllegalArgumentException naming the file, the context or the API server that failed, and the fix
     */
    static Cluster connect(RunConfig c) {
      Config config;
      String where;
      if (c.kubeconfig != null) {
        if (!java.nio.file.Files.isReadable(c.kubeconfig)) {
          throw new IllegalArgumentException("cannot read the kubeconfig " + c.kubeconfig + " (--kubeconfig FILE):"
              + " no such readable file");
        }
        try {
          config = Config.fromKubeconfig(c.kubeContext, c.kubeconfig.toFile());
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("the kubeconfig " + c.kubeconfig + (c.kubeContext == null ? ""
              : " (context " + c.kubeContext + ")") + " is not usable: " + e.getMessage());
        }
        where = config.getMasterUrl() + " (kubeconfig " + c.kubeconfig + (config.getCurrentContext() == null ? ""
            : ", context " + config.getCurrentContext().getName()) + ")";
      } else {
        config = Config.autoConfigure(null);
        where = config.getMasterUrl() + " (in-cluster)";
      }
      KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
      try {
        KubernetesAdapter.Builder b = KubernetesAdapter.builder(client).setNamespaces(c.kubeNamespaces)
            .setWatchNodes(c.kubeWatchNodes).setCheckPermissions(c.kubeCheckPermissions);
        if (c.kubeExecutors != null) {
          b.setExecutors(c.kubeExecutors);
        }
        if (c.kubeServiceLabel != null) {
          b.setServiceLabel(c.kubeServiceLabel);
        }
        return new Cluster(client, b.start(), where);
      } catch (MissingPermissionsException e) {
        client.close();
        throw new IllegalArgumentException(e.getMessage() + " (grant them with deploy/kubernetes/rbac.yaml, or"
            + " enable fewer executors with kubernetes.executors)", e);
      } catch (KubernetesClientException e) {
        client.close();
        throw new IllegalArgumentException("the Kubernetes API at " + where + " answered: " + e.getMessage(), e);
      } catch (RuntimeException e) {
        client.close();
        throw e;
      }
    }

    @Override
    public void close() {
      try {
        adapter.close();
      } finally {
        client.close();
      }
    }
  }

  private static String value(List<String> args, int i, String message) {
    if (i >= args.size()) {
      throw new IllegalArgumentException(message);
    }
    return args.get(i);
  }

  static String textLine(IncidentEvent e) {
    // an opening says type, severity and root itself; later events are prefixed with them
    String context = e.kind() == IncidentEvent.Kind.OPENED ? "" : e.incident().type() + " "
        + e.incident().severity() + " " + e.incident().rootService() + ": ";
    return String.format(Locale.ROOT, "%s %s %-18s %s%s%s", e.at(), e.incident().id(),
        e.kind().name().toLowerCase(Locale.ROOT), context, e.message(),
        e.kind() == IncidentEvent.Kind.OPENED ? candidates(e.incident().candidates()) : "");
  }

  /** How many ranked root-cause candidates a line shows. */
  static final int SHOWN_CANDIDATES = 3;

  /** {@code " | candidates: a (z 12.3), b (z 4.0)"}, or nothing when the incident has no ranked list. */
  static String candidates(List<RootCandidate> ranked) {
    if (ranked.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder(" | candidates: ");
    for (int i = 0; i < Math.min(SHOWN_CANDIDATES, ranked.size()); i++) {
      RootCandidate c = ranked.get(i);
      b.append(i == 0 ? "" : ", ").append(c.service()).append(String.format(Locale.ROOT, " (z %.1f%s)", c.score(),
          c.faultClass() == dev.sreagent.api.model.FaultClass.UNKNOWN ? "" : ", " + c.faultClass().label()));
    }
    return b.toString();
  }

  static String jsonLine(IncidentEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", e.at().toString());
    m.put("incident", e.incident().id());
    m.put("event", e.kind().name().toLowerCase(Locale.ROOT));
    m.put("type", e.incident().type().name());
    m.put("severity", e.incident().severity().name());
    m.put("root", e.incident().rootService());
    m.put("state", e.incident().state().name());
    m.put("message", e.message());
    m.put("affected", e.incident().affectedServices());
    List<Map<String, Object>> anomalies = new java.util.ArrayList<>();
    for (dev.sreagent.api.model.Anomaly a : e.incident().anomalies()) {  // with the sample times they rest on
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("service", a.service());
      x.put("signal", a.signal());
      x.put("observed", a.observed());
      x.put("threshold", a.threshold());
      x.put("startedAt", a.startedAt().toString());
      x.put("detectedAt", a.detectedAt().toString());
      anomalies.add(x);
    }
    m.put("anomalies", anomalies);
    m.put("candidates", candidateMaps(e.incident().candidates()));
    return ModelJson.write(m);
  }

  /** Ranked candidates as JSON objects: service, signal, score, evidence, fault class. */
  static List<Map<String, Object>> candidateMaps(List<RootCandidate> ranked) {
    List<Map<String, Object>> out = new java.util.ArrayList<>();
    for (RootCandidate c : ranked) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("service", c.service());
      r.put("signal", c.signal());
      r.put("score", c.score());
      r.put("evidence", c.evidence());
      r.put("faultClass", c.faultClass().label());
      out.add(r);
    }
    return out;
  }
}

package dev.sreagent.standalone;

import dev.sreagent.api.model.Phase;
import dev.sreagent.testkit.Scenario;
import dev.sreagent.testkit.ScenarioResult;
import dev.sreagent.testkit.ScenarioRunner;
import dev.sreagent.testkit.k8s.KubernetesPlatform;
import dev.sreagent.testkit.Scenarios;
import dev.sreagent.testkit.Scorecard;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** Command-line entry point of the standalone agent. */
public final class Main {
  static final String USAGE = """
      usage: sre-agent demo [options]
             sre-agent run [--config FILE] [--otlp HOST:PORT] [--admin HOST:PORT] [--prometheus URL] [--phase PHASE]
                           [--json]
                           [--audit FILE] [--accept-audit-tail REASON]
                           [--kubeconfig FILE [--context NAME] | --in-cluster] [--namespaces NS[,NS...]]
                           [--store URL [--store-user USER] [--store-password-env VARIABLE]] [--locks URL]
                           [--events URL [--events-password-env VARIABLE]] [--agent-id ID [--shard]]

      run: the agent on real telemetry: an OTLP/HTTP receiver (default 127.0.0.1:4318; protobuf or JSON on
      /v1/metrics, /v1/traces, /v1/logs; Alertmanager webhooks on /v1/alertmanager) and, with --prometheus, the
      default PromQL queries polled every 15 s; phase OBSERVE unless configured (without a cluster no executor is
      configured, so nothing executes), one line per incident event on standard output (JSON lines with --json),
      the audit log in --audit FILE (default sre-agent-data/audit.jsonl). --config FILE takes key = value lines
      (otlp.listen, admin.listen, admin.stall-after, prometheus.url, prometheus.interval, phase, phase.TYPE,
      audit.file, audit.key-file,
      audit.key-env, guardrails.policy, otlp.* limits, json, kubernetes.*, store.*, locks.*; other keys go to
      plugins); options
      override the file. Stops cleanly on SIGTERM or Ctrl-C.
      audit.key-file FILE or audit.key-env VARIABLE keys the audit log with HMAC-SHA256 (a key of 32 bytes or
      more: head -c 32 /dev/urandom | base64 > FILE): records forged, edited or cut by someone without the key
      are detected, and a crash between an append and the head update recovers by itself (audited).
      --accept-audit-tail REASON: start although the audit log holds records its head does not cover (a missing
      head, or an unkeyed log after a crash), which is otherwise refused; check the records the refusal names
      first. Your user name and REASON are recorded in the log. Use it once, not in a service definition.
      --kubeconfig FILE (its current context, or --context NAME) or --in-cluster (the pod's service account), with
      --namespaces: the agent reads the cluster's topology and change events through informers and gets the
      Kubernetes executors (restart by eviction, scale or HPA minimum, rollback, log truncation by pods/exec,
      certificate renewal), which act only in ASSIST after an approval or in AUTONOMOUS, only in those
      namespaces. At start every needed permission is checked (SelfSubjectAccessReview); a missing verb stops the
      start naming it. kubernetes.executors = restart, scale, ... or none (observe the cluster only) in --config;
      RBAC and a Deployment to run the agent in the cluster: deploy/kubernetes/.
      --store jdbc:postgresql://HOST:PORT/DB (with --store-user and --store-password-env VARIABLE, the name of the
      variable holding the password) or jdbc:h2:file:/PATH keeps the incidents and the hash-chained audit log in that
      database (instead of --audit FILE; a restart replays it); --locks etcd://HOST:PORT[,HOST:PORT] or
      redis://HOST:PORT takes the locks with fencing tokens there, shared by every agent pointed at it. Both are
      checked at start (a connection, a probe lock); keys store, store.user, store.password-env, locks,
      locks.password-env in --config. Without them: the audit file and in-process locks. --events redis://HOST:PORT
      publishes the incident events to a Redis stream (sre-agent:events; with --store the outbox relay publishes
      them, at least once, de-duplicated by event id); checked at start; keys events, events.password-env. The
      detectors' learned state is snapshotted every 5 minutes and on stop (to the store, or next to the audit
      file) and a restart within the hour resumes from it instead of warming up again.
      --shard with --agent-id ID (unique per agent) and etcd locks (or shard.endpoints): the agent registers in
      etcd under a lease (shard.lease, default 5s; shard.prefix) and owns only its share of the services; a clean
      stop revokes the registration. With --store, published outbox rows are deleted past retention.outbox.max-age
      (7d) or beyond retention.outbox.max-rows (1000000), and ended incidents beyond the newest
      retention.incidents.max-ended (10000; their history stays in the audit log), every retention.outbox.interval
      (10m).
      --admin HOST:PORT (admin.listen; off by default): GET /metrics, the agent's counters in the Prometheus text
      format (signals, anomalies, incidents by state, actions, denials, evictions, samples the detectors could not
      read, the loop's ticks and the seconds since its last one, the OTLP receiver's items by outcome); /healthz,
      503 once the agent loop has not finished a tick for admin.stall-after (5m), for a liveness probe; /readyz,
      200 from the start line until the stop begins, for a readiness probe.

      demo:
      Runs the built-in scenarios against a simulated ten-service shop in simulated time and prints a live
      incident timeline (detection, diagnosis with confidence, the safety decision, the action, verification)
      and a final scorecard. Exits 1 when a scenario misses its incident, raises an incident on the no-fault
      run, or violates a guardrail; 2 on bad arguments.

      options:
        --scenario NAME     run one scenario (default: all). Names: %s
        --phase PHASE       observe | assist | autonomous (default: autonomous)
        --platform P        simulated | kubernetes | ecs (default: simulated). kubernetes puts the simulated shop
                            behind a Kubernetes API (fabric8's mock server kept in step with the simulation) and
                            the agent reads its topology through informers and acts only through the Kubernetes
                            executors (Eviction API, HPA minReplicas, ...); ecs puts it behind an emulated ECS
                            API (signed AWS SDK calls) and the agent acts only through the ECS and ACM executors
                            (StopTask, a scalable target's minimum, task definitions, RenewCertificate); telemetry
                            still comes from the simulation
        --gitops            roll back through Git: cart is declared in a config repository (a bare repository
                            on disk, a GitHub API emulator, an Argo CD-style auto-sync emulator); the bad deploy
                            is a commit, the agent's rollback a pull request that an emulated reviewer merges
                            after 4 simulated minutes, then the sync rolls cart back. Runs error-rate-spike (the
                            scenario whose remediation is a rollback of cart); with --scenario also bad-deploy
                            (the same) or rollback-does-not-help (cart's database fails too: the rollback's PR is
                            merged and synced, the errors stay, the agent opens a second PR reverting its own
                            commit, left open for a human, and escalates)
        --seed N            seed of the simulated cluster (default: 42)
        --on-call MINUTES   simulated on-call approves after MINUTES; 'none' never answers (default: 3)
        --report FILE       write the scorecard as JSON to FILE
        --audit-dir DIR     keep each scenario's hash-chained audit log in DIR (default: sre-agent-data/audit)
        --quiet             print only the scorecard
        --dashboard PORT    serve the operator dashboard on http://127.0.0.1:PORT (0 picks a free port); with
                            --on-call none, approve or reject plans there
        --speed N           run N simulated seconds per wall-clock second (default: as fast as possible, or
                            120 with --dashboard)
        --hold              keep the dashboard up after the run until interrupted
        --help              this text
      """;

  private Main() {}

  public static void main(String[] args) {
    limitRequestTime();
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Gives the JDK HTTP servers (callbacks from Slack and Teams, the OTLP receiver, admin, dashboard) a deadline for
   * receiving a request, {@value #REQUEST_SECONDS} s, unless the JVM was started with one: the JDK server's only one,
   * read when its first server starts (so before any), without which a few clients that stall mid-request hold every
   * handler thread of a server.
   */
  static void limitRequestTime() {
    if (System.getProperty(REQUEST_TIME_PROPERTY) == null) {
      System.setProperty(REQUEST_TIME_PROPERTY, Integer.toString(REQUEST_SECONDS));
    }
  }

  /** The JDK HTTP server's deadline for receiving a request, in seconds (a JVM-wide system property). */
  static final String REQUEST_TIME_PROPERTY = "sun.net.httpserver.maxReqTime";
  /** The deadline {@link #limitRequestTime} sets. */
  static final int REQUEST_SECONDS = 30;

  /** Runs the CLI; returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    String names = Scenarios.builtIn().stream().map(Scenario::name).collect(Collectors.joining(", "));
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      out.print(String.format(Locale.ROOT, USAGE, names));
      return args.length == 0 ? 2 : 0;
    }
    if (args[0].equals("run")) {
      return RealMode.run(List.of(args).subList(1, args.length), out, err, null);
    }
    if (!args[0].equals("demo")) {
      err.println("unknown command '" + args[0] + "'; the commands are 'demo' and 'run' (see --help)");
      return 2;
    }
    DemoOptions o;
    try {
      o = DemoOptions.parse(List.of(args).subList(1, args.length));
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      err.println("see: sre-agent --help");
      return 2;
    }
    if (o.help) {
      out.print(String.format(Locale.ROOT, USAGE, names));
      return 0;
    }
    List<Scenario> scenarios = new ArrayList<>();
    if (o.scenario == null) {
      scenarios.addAll(o.gitops ? Scenarios.builtIn().stream().filter(GitOpsDemo::rollsBackThroughGit).toList()
          : Scenarios.builtIn());
    } else {
      Scenario s = o.gitops ? GitOpsDemo.named(o.scenario).orElse(null) : null;
      s = s != null ? s : Scenarios.named(o.scenario).orElse(null);
      if (s == null) {
        err.println("--scenario must be one of " + names + " (with --gitops also " + GitOpsDemo.BAD_DEPLOY + " and "
            + GitOpsDemo.ROLLBACK_DOES_NOT_HELP + "), but was '" + o.scenario + "'");
        return 2;
      }
      if (o.gitops && !GitOpsDemo.rollsBackThroughGit(s)) {
        err.println("--gitops runs the scenarios whose remediation is a rollback of cart, which the config"
            + " repository declares: " + Scenarios.builtIn().stream().filter(GitOpsDemo::rollsBackThroughGit)
            .map(Scenario::name).collect(Collectors.joining(", ")) + "; '" + o.scenario + "' is not one of them");
        return 2;
      }
      scenarios.add(s);
    }
    try {
      Files.createDirectories(o.auditDir);
    } catch (IOException e) {
      err.println("cannot create --audit-dir " + o.auditDir + ": " + e.getMessage());
      return 2;
    }
    out.printf(Locale.ROOT, "sre-agent demo: %d scenario(s), phase %s, seed %d, simulated on-call: %s%n",
        scenarios.size(), o.phase, o.seed, o.onCall == null ? "none" : "approves after " + o.onCall.toMinutes()
            + " min");
    out.println("audit logs: " + o.auditDir.toAbsolutePath());
    if (o.gitops) {
      out.println("platform: gitops (cart declared in a config repository; rollbacks are pull requests merged by an"
          + " emulated reviewer " + GitOpsDemo.REVIEWER_DELAY.toMinutes() + " simulated minutes after they open, then"
          + " synced by an auto-sync emulator)");
    }
    if (o.kubernetes) {
      out.println("platform: kubernetes (the simulated shop behind a Kubernetes API emulator; the agent acts only"
          + " through it)");
    }
    if (o.ecs) {
      out.println("platform: ecs (the simulated shop behind an emulated ECS API; the agent acts only through it, over"
          + " signed AWS SDK calls; certificates renewed in ACM; logs on the container instances emptied with SSM Run"
          + " Command)");
    }
    DemoState state = new DemoState(dev.sreagent.testkit.VirtualClock.DEFAULT_START);
    DashboardServer dashboard = null;
    if (o.dashboard != null) {
      try {
        dashboard = new DashboardServer(o.dashboard, state);
        out.println("dashboard: http://127.0.0.1:" + dashboard.port() + "/");
      } catch (IOException e) {
        err.println("cannot serve --dashboard on port " + o.dashboard + ": " + e.getMessage());
        return 2;
      }
    }
    Double speed = o.speed != null ? o.speed : o.dashboard != null ? Double.valueOf(120) : null;
    List<ScenarioResult> results = new ArrayList<>();
    long simulated = 0;
    long wallStart = System.nanoTime();
    for (Scenario s : scenarios) {
      state.startScenario(s.name(), s.description(), o.phase.name());
      Pacer pacer = new Pacer(speed);
      if (!o.quiet) {
        out.printf(Locale.ROOT, "%n== %s: %s%n", s.name(), s.description());
      }
      List<AutoCloseable> platforms = new ArrayList<>();
      GitOpsDemo gitops = o.gitops ? GitOpsDemo.create(s) : null;
      ScenarioRunner runner = new ScenarioRunner(o.phase, o.seed, o.onCall, o.auditDir,
          o.quiet ? null : out::println, b -> {
            b.addAgentCustomizer(ab -> ab.addNotifier(state)).setStepListener(h -> {
              state.onStep(h);
              pacer.pace(h.clock().now());
            });
            if (o.kubernetes) {
              platforms.add(KubernetesPlatform.install(b));
            }
            if (o.ecs) {
              platforms.add(dev.sreagent.testkit.aws.EcsPlatform.install(b, EcsPlatform::emulated));
            }
            if (gitops != null) {
              gitops.install(b); // replaces the step listener (refused with --dashboard and --speed)
            }
            return b;
          });
      ScenarioResult r;
      try {
        r = runner.run(gitops != null ? gitops.scenario() : s);
        if (gitops != null && !o.quiet) {
          gitops.summary().forEach(out::println);
        }
      } finally {
        for (AutoCloseable p : platforms) {
          try {
            p.close();
          } catch (Exception e) {
            err.println("closing the platform failed: " + e);
          }
        }
        if (gitops != null) {
          gitops.close();
        }
      }
      state.finishScenario(r);
      results.add(r);
      simulated += s.duration().toSeconds();
      if (!o.quiet) {
        out.printf(Locale.ROOT, "   -> %s%s%n", r.outcome(), r.passed() ? "" : "  FAIL " + r.violations());
      }
    }
    long wallMillis = (System.nanoTime() - wallStart) / 1_000_000;
    state.finishAll();
    Scorecard card = new Scorecard(results, simulated, wallMillis);
    out.println();
    out.print(card.toTable());
    if (o.report != null) {
      try {
        Path parent = o.report.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        Files.writeString(o.report, card.toJson(), StandardCharsets.UTF_8);
        out.println("report: " + o.report.toAbsolutePath());
      } catch (IOException e) {
        err.println("cannot write --report " + o.report + ": " + e.getMessage());
        return 2;
      }
    }
    if (dashboard != null) {
      if (o.hold) {
        out.println("dashboard stays up at http://127.0.0.1:" + dashboard.port() + "/ until interrupted (Ctrl-C)");
        try {
          Thread.currentThread().join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      dashboard.close();
    }
    return card.passed() ? 0 : 1;
  }

  /** Keeps simulated time at most {@code speed} times faster than wall-clock time (the app's own pacing). */
  static final class Pacer {
    private final @Nullable Double speed;
    private long wallStart = -1;
    private java.time.Instant simStart = java.time.Instant.EPOCH;

    Pacer(@Nullable Double speed) {
      this.speed = speed;
    }

    void pace(java.time.Instant simNow) {
      if (speed == null) {
        return;
      }
      if (wallStart < 0) {
        wallStart = System.nanoTime();
        simStart = simNow;
        return;
      }
      long simMillis = Duration.between(simStart, simNow).toMillis();
      long dueNanos = (long) (simMillis / speed * 1_000_000);
      long aheadMillis = (dueNanos - (System.nanoTime() - wallStart)) / 1_000_000;
      if (aheadMillis > 0) {
        try {
          Thread.sleep(aheadMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** Parsed options of {@code demo}. */
  static final class DemoOptions {
    @Nullable String scenario;
    Phase phase = Phase.AUTONOMOUS;
    long seed = 42;
    @Nullable Duration onCall = Duration.ofMinutes(3);
    @Nullable Path report;
    Path auditDir = Path.of("sre-agent-data", "audit");
    boolean quiet;
    boolean help;
    @Nullable Integer dashboard;
    @Nullable Double speed;
    boolean hold;
    boolean kubernetes;
    boolean ecs;
    boolean gitops;

    static DemoOptions parse(List<String> args) {
      DemoOptions o = new DemoOptions();
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        switch (a) {
          case "--scenario" -> o.scenario = value(args, ++i, a);
          case "--phase" -> {
            String v = value(args, ++i, a);
            try {
              o.phase = Phase.valueOf(v.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException("--phase must be observe, assist or autonomous, but was '" + v
                  + "'");
            }
          }
          case "--seed" -> {
            String v = value(args, ++i, a);
            try {
              o.seed = Long.parseLong(v);
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("--seed must be an integer, but was '" + v + "'");
            }
          }
          case "--on-call" -> {
            String v = value(args, ++i, a);
            if (v.equals("none")) {
              o.onCall = null;
            } else {
              try {
                int m = Integer.parseInt(v);
                if (m < 0) {
                  throw new NumberFormatException();
                }
                o.onCall = Duration.ofMinutes(m);
              } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--on-call must be minutes >= 0 or 'none', but was '" + v + "'");
              }
            }
          }
          case "--report" -> o.report = Path.of(value(args, ++i, a));
          case "--audit-dir" -> o.auditDir = Path.of(value(args, ++i, a));
          case "--quiet" -> o.quiet = true;
          case "--platform" -> {
            String v = value(args, ++i, a);
            if (!v.equals("simulated") && !v.equals("kubernetes") && !v.equals("ecs")) {
              throw new IllegalArgumentException("--platform must be simulated, kubernetes or ecs, but was '" + v
                  + "'");
            }
            o.kubernetes = v.equals("kubernetes");
            o.ecs = v.equals("ecs");
          }
          case "--hold" -> o.hold = true;
          case "--gitops" -> o.gitops = true;
          case "--dashboard" -> {
            String v = value(args, ++i, a);
            try {
              o.dashboard = Integer.parseInt(v);
              if (o.dashboard < 0 || o.dashboard > 65535) {
                throw new NumberFormatException();
              }
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("--dashboard must be a port in [0, 65535], but was '" + v + "'");
            }
          }
          case "--speed" -> {
            String v = value(args, ++i, a);
            try {
              o.speed = Double.parseDouble(v);
              if (!(o.speed > 0)) {
                throw new NumberFormatException();
              }
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("--speed must be a positive number, but was '" + v + "'");
            }
          }
          case "--help", "-h" -> o.help = true;
          default -> throw new IllegalArgumentException("unknown option '" + a + "'");
        }
      }
      if (o.gitops && (o.kubernetes || o.ecs)) {
        throw new IllegalArgumentException("--gitops and --platform " + (o.ecs ? "ecs" : "kubernetes") + " exclude"
            + " each other: the GitOps demo rolls back through a pull request on the simulated platform; keep one");
      }
      if (o.gitops && (o.dashboard != null || o.speed != null)) {
        throw new IllegalArgumentException("--gitops cannot be combined with --dashboard or --speed yet (the GitOps"
            + " platform takes the harness's step listener, which the dashboard and the pacing need)");
      }
      return o;
    }

    private static String value(List<String> args, int i, String option) {
      if (i >= args.size() || args.get(i).startsWith("--")) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args.get(i);
    }
  }
}

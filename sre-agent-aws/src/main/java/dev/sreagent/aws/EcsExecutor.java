package dev.sreagent.aws;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.Clock;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.ecs.model.Tag;

/**
 * What the ECS executors share: finding the service, the checks before a change, the tags that make a change
 * idempotent and fenced ({@link EcsMarks}), waiting for a rollout, and AWS errors as results.
 *
 * <p>Every change: the service is read afresh (with its tags); a key already applied answers SUCCEEDED and changes
 * nothing; a fencing token lower than the one recorded for the same lock target is REJECTED; a key started and not
 * applied (the answer of an earlier attempt was lost) is settled from what the service shows before anything is
 * redone; then the start is tagged (key, primary deployment, fencing token), the change made, and the key tagged as
 * applied. ECS has no compare-and-set on a service: between the read and the write another writer can change it, which
 * the agent's lock on the target excludes among agents, and which the plan's expected state (replicas, revision)
 * narrows for everyone else. ECS has no server-side dry run: a dry run reads and checks everything and writes nothing.
 *
 * @param <A> the action it carries out
 */
public abstract class EcsExecutor<A extends Action> implements ActionExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(EcsExecutor.class);
  /** ECS's limit of tags per resource. */
  static final int MAX_TAGS = 50;
  /**
   * No SDK-level retries for a write: a retried {@code forceNewDeployment} whose first answer was lost would make a
   * second deployment. The executor's own redelivery settles a lost answer from the service's state instead.
   */
  static final Consumer<AwsRequestOverrideConfiguration.Builder> NO_SDK_RETRIES = o -> o.addPlugin(config ->
      config.overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())));
  /** The product token a change carries in its User-Agent, with the idempotency key as its version. */
  public static final String USER_AGENT_KEY = "sre-agent-key";

  /**
   * The request configuration of a change made under {@code context}: no SDK-level retries, and the idempotency key
   * in the User-Agent ({@value #USER_AGENT_KEY}{@code /KEY}), so the change itself says which key made it (CloudTrail
   * records the User-Agent of every call).
   */
  static Consumer<AwsRequestOverrideConfiguration.Builder> write(ExecutionContext context) {
    return NO_SDK_RETRIES.andThen(o -> o.addApiName(a -> a.name(USER_AGENT_KEY)
        .version(userAgentKey(context.idempotencyKey()))));
  }

  /**
   * The key as the User-Agent carries it: itself when 1-128 letters, digits, {@code . _ -} (the agent's keys are 64
   * hexadecimal digits), else {@code sha256-} and its digest — a header cannot carry a line break, and an unsafe key
   * must not fail every call.
   */
  static String userAgentKey(String key) {
    return key.matches("[A-Za-z0-9._-]{1,128}") ? key : "sha256-" + dev.sreagent.api.model.Digests.sha256(key);
  }
  /** How long a rollout may take by default before the executor stops waiting. */
  public static final Duration DEFAULT_ROLLOUT_TIMEOUT = Duration.ofMinutes(10);

  final EcsServices services;
  final Clock clock;
  final Duration rolloutTimeout;
  final Duration pollInterval;
  private final Class<A> type;

  EcsExecutor(Builder<?, ?> b, Class<A> type) {
    this.services = new EcsServices(b.ecs, b.clusters, b.serviceTag);
    this.clock = b.clock;
    this.rolloutTimeout = b.rolloutTimeout;
    this.pollInterval = b.pollInterval;
    this.type = type;
  }

  @Override
  public boolean supports(Action action) {
    return type.isInstance(action);
  }

  @Override
  public final ActionResult execute(Action action, ExecutionContext context) {
    if (!supports(action)) {
      return result(context, ActionResult.Status.REJECTED, name() + " does not carry out " + action.kind());
    }
    try {
      EcsServices.Lookup lookup = services.find(action.service());
      EcsServices.Found f = lookup.found();
      if (f == null) {
        return result(context, ActionResult.Status.REJECTED, lookup.problem());
      }
      if (EcsMarks.applied(f.tags(), context.idempotencyKey())) {
        return result(context, ActionResult.Status.SUCCEEDED, "already applied under key "
            + context.idempotencyKey() + " (recorded on " + f.describe() + "); nothing changed again");
      }
      OptionalLong recorded = EcsMarks.fencingToken(f.tags(), action.target());
      if (recorded.isPresent() && context.fencingToken() < recorded.getAsLong()) {
        return result(context, ActionResult.Status.REJECTED, "fencing token " + context.fencingToken()
            + " is lower than " + recorded.getAsLong() + " recorded on " + f.describe() + " for lock "
            + action.target() + ": another holder of the lock changed it since");
      }
      int tags = EcsMarks.tagsWithOurs(f.tags(), action.target());
      if (tags > MAX_TAGS) {
        return result(context, ActionResult.Status.FAILED, f.describe() + " has " + f.tags().size() + " tags; with"
            + " the executor's own (the key, incident, fencing token and applied keys) it would need " + tags
            + ", above ECS's " + MAX_TAGS + ": nothing written (remove some of the service's tags)");
      }
      Optional<String> started = EcsMarks.started(f.tags(), context.idempotencyKey());
      if (started.isPresent() && !context.dryRun()) {
        Optional<ActionResult> settled = settle(type.cast(action), f, context, started.get());
        if (settled.isPresent()) {
          return settled.get();
        }
        LOG.info("{}: key {} started before without taking effect; carrying it out again", name(),
            context.idempotencyKey());
      }
      return run(type.cast(action), f, context);
    } catch (RuntimeException e) {
      return failure(context, e, "ECS", clock);
    }
  }

  /**
   * The result of a change whose AWS call threw: FAILED with AWS's status, code, message and a hint for an answer
   * (the change was refused), TIMED_OUT for a call that timed out (it may have landed: reconcile before retrying),
   * FAILED for a call that got no answer otherwise.
   */
  static ActionResult failure(ExecutionContext context, RuntimeException e, String api, Clock clock) {
    if (e instanceof AwsServiceException ase) {
      String code = ase.awsErrorDetails() == null ? "" : ase.awsErrorDetails().errorCode();
      String message = ase.awsErrorDetails() == null ? ase.getMessage() : ase.awsErrorDetails().errorMessage();
      return new ActionResult(context.idempotencyKey(), ActionResult.Status.FAILED, api + " answered HTTP "
          + ase.statusCode() + " " + code + (message == null ? "" : ": " + message) + hint(code), clock.now());
    }
    if (e instanceof AwsCallException ace) {
      return new ActionResult(context.idempotencyKey(), ActionResult.Status.FAILED, ace.getMessage()
          + hint(ace.code), clock.now());
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException
          || t instanceof InterruptedIOException || t instanceof TimeoutException) {
        return new ActionResult(context.idempotencyKey(), ActionResult.Status.TIMED_OUT, "AWS call timed out ("
            + t + "): whether it changed anything is unknown; reconcile before retrying", clock.now());
      }
      if (t == t.getCause()) {
        break;
      }
    }
    String kind = e instanceof SdkClientException ? "AWS call failed without an answer: " : api + " executor failed: ";
    return new ActionResult(context.idempotencyKey(), ActionResult.Status.FAILED, kind + e, clock.now());
  }

  /** Carries out {@code action} on {@code f} after the shared checks passed. */
  abstract ActionResult run(A action, EcsServices.Found f, ExecutionContext context);

  /**
   * Settles a key that started before and was not recorded as applied: the outcome of that attempt read from the
   * service ({@code primaryBefore} is the primary deployment recorded at its start). Empty: it did not take effect, and
   * the change may be made.
   */
  abstract Optional<ActionResult> settle(A action, EcsServices.Found f, ExecutionContext context,
      String primaryBefore);

  /**
   * Tags the start of the change (key, fencing token, incident, and the primary deployment seen when
   * {@code withDeployment}: a change that makes a new deployment is then recognised by it) before making it.
   */
  void markStarted(EcsServices.Found f, Action action, ExecutionContext context, boolean withDeployment) {
    String primary = withDeployment ? f.primary().map(Deployment::id).orElse("") : "";
    services.tag(f, EcsMarks.start(f.tags(), context.idempotencyKey(), primary, action.target(),
        context.fencingToken(), context.incidentId()));
  }

  /**
   * Makes the change after its start was tagged; when ECS refuses it (HTTP 4xx: certainly not made), withdraws the
   * start (best effort), so the key is not left in doubt and nobody reads a later change by someone else as this one.
   */
  void change(EcsServices.Found f, ExecutionContext context, Runnable call) {
    try {
      call.run();
    } catch (AwsServiceException e) {
      if (e.statusCode() >= 400 && e.statusCode() < 500) {
        try {
          withdrawStart(f, context);
        } catch (RuntimeException again) {
          e.addSuppressed(again);
        }
      }
      throw e;
    }
  }

  private void withdrawStart(EcsServices.Found f, ExecutionContext context) {
    Map<String, String> tags = currentTags(f);
    String started = EcsMarks.withoutStarted(tags, context.idempotencyKey());
    if (started.isEmpty()) {
      services.untag(f, EcsMarks.STARTED);
    } else {
      services.tag(f, Map.of(EcsMarks.STARTED, started));
    }
  }

  /**
   * {@code done} (the change took place) after tagging the key as applied; when tagging fails the change still took
   * place, so the answer stays SUCCEEDED and says so (a redelivery of the key settles from the service's state).
   */
  ActionResult recorded(EcsServices.Found f, ExecutionContext context, ActionResult done) {
    try {
      markApplied(f, context);
      return done;
    } catch (RuntimeException e) {
      LOG.warn("{}: {} took effect but recording key {} on {} failed: {}", name(), done.message(),
          context.idempotencyKey(), f.describe(), e.toString());
      return result(context, done.status(), done.message() + "; recording it on the service's tags failed (" + e
          + "): a redelivery of this key settles from the service's state");
    }
  }

  /**
   * A REJECTED result when the service as read now records a fencing token above {@code context}'s for
   * {@code target}: another holder of the lock took over (read between the steps of a long change).
   */
  Optional<ActionResult> superseded(EcsServices.Found now, String target, ExecutionContext context, String done) {
    OptionalLong recorded = EcsMarks.fencingToken(now.tags(), target);
    if (recorded.isPresent() && recorded.getAsLong() > context.fencingToken()) {
      return Optional.of(result(context, ActionResult.Status.REJECTED, "fencing token " + recorded.getAsLong()
          + " above this change's " + context.fencingToken() + " is now recorded on " + now.describe()
          + " for lock " + target + ": another holder took over; " + done + ", nothing further"));
    }
    return Optional.empty();
  }

  /** Tags the key as applied and removes it from the started list. */
  void markApplied(EcsServices.Found f, ExecutionContext context) {
    Map<String, String> tags = currentTags(f);
    Map<String, String> write = new LinkedHashMap<>(EcsMarks.applied(tags, context.idempotencyKey(),
        context.incidentId()));
    String started = EcsMarks.withoutStarted(tags, context.idempotencyKey());
    if (!started.isEmpty()) {
      write.put(EcsMarks.STARTED, started);
    }
    services.tag(f, write);
    if (started.isEmpty() && tags.containsKey(EcsMarks.STARTED)) {
      services.untag(f, EcsMarks.STARTED);
    }
  }

  private Map<String, String> currentTags(EcsServices.Found f) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (Tag t : services.client().listTagsForResource(b -> b.resourceArn(f.service().serviceArn())).tags()) {
      tags.put(t.key(), t.value());
    }
    return tags;
  }

  /**
   * Waits until the service's primary deployment is not {@code notDeployment} (when given), runs
   * {@code taskDefinition} and has completed its rollout. Empty when it did; else the FAILED result (rollout failed,
   * or not done within the rollout timeout).
   */
  Optional<ActionResult> awaitRollout(EcsServices.Found f, String taskDefinition, @Nullable String notDeployment,
      ExecutionContext context) {
    Instant deadline = clock.now().plus(rolloutTimeout);
    String last = "not read yet";
    while (true) {
      EcsServices.Lookup now = services.find(f.agentName());
      if (now.found() == null) {
        return Optional.of(result(context, ActionResult.Status.FAILED, "while waiting for the rollout: "
            + now.problem()));
      }
      Optional<Deployment> primary = now.found().primary();
      if (primary.isPresent() && !primary.get().id().equals(notDeployment)
          && EcsServices.shortTaskDefinition(primary.get().taskDefinition()).equals(taskDefinition)) {
        String state = String.valueOf(primary.get().rolloutStateAsString());
        last = "deployment " + primary.get().id() + " " + state + ", " + primary.get().runningCount() + "/"
            + primary.get().desiredCount() + " tasks running";
        if (state.equals("COMPLETED")) {
          return Optional.empty();
        }
        if (state.equals("FAILED")) {
          return Optional.of(result(context, ActionResult.Status.FAILED, "the rollout of " + taskDefinition + " on "
              + f.describe() + " failed: " + primary.get().rolloutStateReason()));
        }
      } else {
        last = "no new primary deployment of " + taskDefinition + " yet";
      }
      if (!clock.now().isBefore(deadline)) {
        return Optional.of(result(context, ActionResult.Status.FAILED, "the rollout on " + f.describe()
            + " did not complete within " + rolloutTimeout + " (" + last + "); the change stands, nothing undone"));
      }
      try {
        clock.sleep(pollInterval);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of(result(context, ActionResult.Status.TIMED_OUT, "interrupted while waiting for the"
            + " rollout on " + f.describe() + " (" + last + ")"));
      }
    }
  }

  /** Whether a change under {@code idempotencyKey} is recorded on a service of the allowed clusters. */
  @Override
  public Optional<ActionResult> reconcile(String idempotencyKey) {
    for (EcsServices.Found f : services.all()) {
      if (EcsMarks.applied(f.tags(), idempotencyKey)) {
        return Optional.of(new ActionResult(idempotencyKey, ActionResult.Status.SUCCEEDED, "took effect: key "
            + idempotencyKey + " is recorded on " + f.describe(), clock.now()));
      }
    }
    return Optional.empty();
  }

  ActionResult result(ExecutionContext context, ActionResult.Status status, String message) {
    return new ActionResult(context.idempotencyKey(), status, message, clock.now());
  }

  static String hint(String code) {
    return switch (code) {
      case "AccessDeniedException", "AccessDenied", "UnauthorizedOperation" ->
          " (the agent's IAM role lacks this permission: see sre-agent-aws/src/main/resources/iam/sre-agent-ecs.json)";
      case "ThrottlingException", "Throttling" -> " (throttled; the agent retries with backoff)";
      case "ExpiredTokenException", "UnrecognizedClientException", "InvalidSignatureException" ->
          " (the credentials are expired or wrong)";
      default -> "";
    };
  }

  /**
   * Builds an ECS executor.
   *
   * @param <B> the builder
   * @param <E> the executor
   */
  public abstract static class Builder<B extends Builder<B, E>, E extends EcsExecutor<?>> {
    final EcsClient ecs;
    List<String> clusters = List.of();
    @Nullable String serviceTag;
    Clock clock = Clock.system();
    Duration rolloutTimeout = DEFAULT_ROLLOUT_TIMEOUT;
    Duration pollInterval = Duration.ofSeconds(5);

    Builder(EcsClient ecs) {
      this.ecs = Objects.requireNonNull(ecs, "ecs");
    }

    @SuppressWarnings("unchecked")
    private B self() {
      return (B) this;
    }

    /** The clusters (names) it may change services in; required, never empty. */
    public B setClusters(List<String> clusters) {
      Objects.requireNonNull(clusters, "clusters");
      if (clusters.isEmpty() || clusters.stream().anyMatch(c -> c == null || c.isBlank())) {
        throw new IllegalArgumentException("clusters must name at least one ECS cluster and no blank one, but was "
            + clusters);
      }
      this.clusters = List.copyOf(clusters);
      return self();
    }

    /**
     * The tag whose value is the agent's name of a service (such as {@code service.name}, as the services' telemetry
     * names them); default none: the ECS service's own name.
     */
    public B setServiceTag(@Nullable String tag) {
      this.serviceTag = tag == null || tag.isBlank() ? null : tag;
      return self();
    }

    /** The clock waits run on (a simulation's virtual clock in tests). */
    public B setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return self();
    }

    /** How long a restart or rollback waits for its rollout to complete (default 10 minutes). */
    public B setRolloutTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("rolloutTimeout must be positive, but was " + timeout);
      }
      this.rolloutTimeout = timeout;
      return self();
    }

    /** How often a wait reads the service again (default 5 s). */
    public B setPollInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("pollInterval must be positive, but was " + interval);
      }
      this.pollInterval = interval;
      return self();
    }

    /** Builds it. */
    public E build() {
      if (clusters.isEmpty()) {
        throw new IllegalStateException("setClusters(...) is required: the ECS clusters the executor may change");
      }
      return create();
    }

    abstract E create();
  }
}

package dev.sreagent.aws;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import software.amazon.awssdk.services.acm.AcmClient;
import software.amazon.awssdk.services.acm.model.Tag;

/**
 * Carries out {@link Action.RenewCertificate} on an AWS Certificate Manager certificate: {@code RenewCertificate},
 * then waits until {@code DescribeCertificate} shows a later {@code NotAfter} (SUCCEEDED only then). The certificate
 * is found by its ARN or by its {@code Name} tag (as {@link AcmCertificates} names it), and must be tagged with the
 * action's service.
 *
 * <p>Refused (REJECTED) when: no certificate has that name, or two do; it belongs to another service (or none); it is
 * not {@code PRIVATE} — ACM renews {@code AMAZON_ISSUED} certificates itself (managed renewal: when one is about to
 * expire, its DNS validation records are what to check) and {@code IMPORTED} ones only by importing again. FAILED when
 * no later {@code NotAfter} shows within the verify timeout (default 5 minutes). Idempotency and fencing use the same
 * tags on the certificate as the ECS executors on a service ({@code sre-agent:started} with the {@code NotAfter} seen
 * and the time of the start, {@code sre-agent:applied}, {@code sre-agent:fence:TARGET}): a renewal whose answer was
 * lost is recognised by its later {@code NotAfter}, waited for until the earlier attempt's verify window ends (ACM
 * issues a private renewal asynchronously), and renewed once more only when none showed in that window; a
 * certificate is named one way only (its {@code Name} tag, else its ARN), so it has one lock and one fencing token. No server-side dry run: a dry run checks
 * and writes nothing.
 *
 * <p>IAM: {@code acm:ListCertificates}, {@code acm:ListTagsForCertificate}, {@code acm:DescribeCertificate},
 * {@code acm:RenewCertificate}, {@code acm:AddTagsToCertificate}, {@code acm:RemoveTagsFromCertificate}.
 */
public final class AcmRenewExecutor implements ActionExecutor {
  private final AcmClient acm;
  private final String serviceTag;
  private final Clock clock;
  private final Duration verifyTimeout;
  private final Duration pollInterval;

  private AcmRenewExecutor(Builder b) {
    this.acm = b.acm;
    this.serviceTag = b.serviceTag;
    this.clock = b.clock;
    this.verifyTimeout = b.verifyTimeout;
    this.pollInterval = b.pollInterval;
  }

  /** A builder over {@code acm}. */
  public static Builder builder(AcmClient acm) {
    return new Builder(acm);
  }

  @Override
  public String name() {
    return "acm-renew";
  }

  @Override
  public boolean supports(Action action) {
    return action instanceof Action.RenewCertificate;
  }

  @Override
  public Optional<Duration> longestCall() {
    return Optional.of(verifyTimeout.plus(pollInterval).plusMinutes(1));
  }

  @Override
  public ActionResult execute(Action action, ExecutionContext context) {
    if (!(action instanceof Action.RenewCertificate renew)) {
      return result(context, ActionResult.Status.REJECTED, name() + " does not carry out " + action.kind());
    }
    try {
      List<AcmCertificates.Listed> all = AcmCertificates.list(acm, serviceTag, null);
      // one name per certificate (its Name tag, else its ARN), so one lock target and one fencing token per
      // certificate: the ARN of a certificate with a Name tag is not accepted for it
      List<AcmCertificates.Listed> named = all.stream().filter(c -> c.name().equals(renew.certificate())).toList();
      Optional<AcmCertificates.Listed> byArn = all.stream().filter(c -> c.arn().equals(renew.certificate()))
          .findFirst();
      java.util.Set<String> candidates = new java.util.TreeSet<>();
      named.forEach(c -> candidates.add(c.arn()));
      byArn.ifPresent(c -> candidates.add(c.arn()));
      if (candidates.size() > 1) {  // two names, or a Name tag spelling another certificate's ARN
        return result(context, ActionResult.Status.REJECTED, "certificate name '" + renew.certificate()
            + "' is ambiguous: " + candidates + "; refused");
      }
      if (named.isEmpty()) {
        return result(context, ActionResult.Status.REJECTED, byArn.map(c -> "certificate " + c.arn() + " is named '"
            + c.name() + "' (its " + AcmCertificates.NAME_TAG + " tag): the agent names it so, and only so, to keep"
            + " one lock per certificate; refused").orElse("no ACM certificate is named '" + renew.certificate()
            + "' (its " + AcmCertificates.NAME_TAG + " tag, else its ARN)"));
      }
      AcmCertificates.Listed c = named.get(0);
      String what = "certificate " + c.name() + (c.name().equals(c.arn()) ? "" : " (" + c.arn() + ")");
      if (!renew.service().equals(c.service())) {
        return result(context, ActionResult.Status.REJECTED, what + " belongs to " + (c.service() == null
            ? "no service (no " + serviceTag + " tag)" : "service " + c.service() + " (tag " + serviceTag + ")")
            + ", not " + renew.service() + "; refused");
      }
      if (EcsMarks.applied(c.tags(), context.idempotencyKey())) {
        return result(context, ActionResult.Status.SUCCEEDED, "already renewed under key "
            + context.idempotencyKey() + " (recorded on " + what + "); nothing renewed again");
      }
      OptionalLong recorded = EcsMarks.fencingToken(c.tags(), renew.target());
      if (recorded.isPresent() && context.fencingToken() < recorded.getAsLong()) {
        return result(context, ActionResult.Status.REJECTED, "fencing token " + context.fencingToken()
            + " is lower than " + recorded.getAsLong() + " recorded on " + what + " for lock " + renew.target()
            + ": another holder of the lock renewed it since");
      }
      if (!c.type().equals("PRIVATE")) {
        return result(context, ActionResult.Status.REJECTED, what + " is " + c.type() + ": " + (c.type()
            .equals("AMAZON_ISSUED") ? "ACM renews it itself (managed renewal); when it nears expiry, check that its"
            + " DNS validation records still resolve" : "an imported certificate is renewed only by importing a new"
            + " one") + "; nothing renewed");
      }
      Instant before = Objects.requireNonNull(c.notAfter(), "NotAfter");
      Optional<String> started = EcsMarks.started(c.tags(), context.idempotencyKey());
      if (started.isPresent() && !context.dryRun()) {
        // NOTAFTER/STARTED: the NotAfter seen and the time (epoch seconds) when this key started
        String[] parts = started.get().split("/");
        OptionalLong notAfterThen = epochSeconds(parts[0]);
        OptionalLong startedAt = parts.length > 1 ? epochSeconds(parts[1]) : OptionalLong.empty();
        if (notAfterThen.isPresent()) {
          Instant then = Instant.ofEpochSecond(notAfterThen.getAsLong());
          // the earlier attempt's renewal may still be in issuance: wait for it until its own verify window ends
          Instant window = startedAt.isPresent() ? Instant.ofEpochSecond(startedAt.getAsLong()).plus(verifyTimeout)
              : clock.now();
          Instant now = before;
          while (!now.isAfter(then) && clock.now().isBefore(window)) {
            clock.sleep(pollInterval);
            now = notAfter(c.arn());
          }
          if (now.isAfter(then)) {
            return recorded(c, context, result(context, ActionResult.Status.SUCCEEDED, "took effect before (its"
                + " answer was lost): " + what + " now expires " + now + "; recorded now"));
          }
          // no later NotAfter within the earlier attempt's verify window: it did not take; renew once more
        }
      }
      int tags = EcsMarks.tagsWithOurs(c.tags(), renew.target());
      if (tags > EcsExecutor.MAX_TAGS) {
        return result(context, ActionResult.Status.FAILED, what + " has " + c.tags().size() + " tags; with the"
            + " executor's own it would need " + tags + ", above ACM's " + EcsExecutor.MAX_TAGS + ": nothing written");
      }
      if (context.dryRun()) {
        return result(context, ActionResult.Status.DRY_RUN, "checks passed, nothing written (ACM has no dry run):"
            + " would renew " + what + ", expiring " + before);
      }
      tag(c.arn(), EcsMarks.start(c.tags(), context.idempotencyKey(), before.getEpochSecond() + "/"
          + clock.now().getEpochSecond(), renew.target(), context.fencingToken(), context.incidentId()));
      acm.renewCertificate(b -> b.certificateArn(c.arn()).overrideConfiguration(EcsExecutor.write(context)));
      Instant deadline = clock.now().plus(verifyTimeout);
      Instant after = notAfter(c.arn());
      while (!after.isAfter(before)) {
        if (!clock.now().isBefore(deadline)) {
          return result(context, ActionResult.Status.FAILED, "ACM accepted the renewal of " + what + " but its"
              + " NotAfter is still " + after + " after " + verifyTimeout + "; check the private CA's status");
        }
        clock.sleep(pollInterval);
        after = notAfter(c.arn());
      }
      return recorded(c, context, result(context, ActionResult.Status.SUCCEEDED, "renewed " + what + ": NotAfter "
          + before + " -> " + after));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return result(context, ActionResult.Status.TIMED_OUT, "interrupted while waiting for the renewal of "
          + renew.certificate() + "; reconcile before retrying");
    } catch (RuntimeException e) {
      return EcsExecutor.failure(context, e, "ACM", clock);
    }
  }

  private static OptionalLong epochSeconds(String s) {
    try {
      return s.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(s));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  private Instant notAfter(String arn) {
    return acm.describeCertificate(b -> b.certificateArn(arn)).certificate().notAfter();
  }

  private ActionResult recorded(AcmCertificates.Listed c, ExecutionContext context, ActionResult done) {
    try {
      Map<String, String> now = new LinkedHashMap<>();
      for (Tag t : acm.listTagsForCertificate(b -> b.certificateArn(c.arn())).tags()) {
        now.put(t.key(), t.value() == null ? "" : t.value());
      }
      Map<String, String> write = new LinkedHashMap<>(EcsMarks.applied(now, context.idempotencyKey(),
          context.incidentId()));
      String started = EcsMarks.withoutStarted(now, context.idempotencyKey());
      if (!started.isEmpty()) {
        write.put(EcsMarks.STARTED, started);
      }
      tag(c.arn(), write);
      if (started.isEmpty() && now.containsKey(EcsMarks.STARTED)) {
        acm.removeTagsFromCertificate(b -> b.certificateArn(c.arn()).tags(Tag.builder().key(EcsMarks.STARTED)
            .value(now.get(EcsMarks.STARTED)).build()));
      }
      return done;
    } catch (RuntimeException e) {
      return result(context, done.status(), done.message() + "; recording it on the certificate's tags failed ("
          + e + "): a redelivery of this key settles from its NotAfter");
    }
  }

  private void tag(String arn, Map<String, String> tags) {
    acm.addTagsToCertificate(b -> b.certificateArn(arn).tags(tags.entrySet().stream()
        .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList()));
  }

  /** Whether a renewal under {@code idempotencyKey} is recorded on a certificate. */
  @Override
  public Optional<ActionResult> reconcile(String idempotencyKey) {
    for (AcmCertificates.Listed c : AcmCertificates.list(acm, serviceTag, null)) {
      if (EcsMarks.applied(c.tags(), idempotencyKey)) {
        return Optional.of(new ActionResult(idempotencyKey, ActionResult.Status.SUCCEEDED, "took effect: key "
            + idempotencyKey + " is recorded on certificate " + c.name(), clock.now()));
      }
    }
    return Optional.empty();
  }

  private ActionResult result(ExecutionContext context, ActionResult.Status status, String message) {
    return new ActionResult(context.idempotencyKey(), status, message, clock.now());
  }

  /** Builds an {@link AcmRenewExecutor}. */
  public static final class Builder {
    private final AcmClient acm;
    private String serviceTag = AcmCertificates.DEFAULT_SERVICE_TAG;
    private Clock clock = Clock.system();
    private Duration verifyTimeout = Duration.ofMinutes(5);
    private Duration pollInterval = Duration.ofSeconds(10);

    private Builder(AcmClient acm) {
      this.acm = Objects.requireNonNull(acm, "acm");
    }

    /** The tag naming a certificate's service (default {@value AcmCertificates#DEFAULT_SERVICE_TAG}). */
    public Builder setServiceTag(String tag) {
      this.serviceTag = AcmCertificates.serviceTag(tag);
      return this;
    }

    /** The clock waits run on. */
    public Builder setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How long a renewal may take to show a later NotAfter (default 5 minutes). */
    public Builder setVerifyTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("verifyTimeout must be positive, but was " + timeout);
      }
      this.verifyTimeout = timeout;
      return this;
    }

    /** How often the certificate is read while waiting (default 10 s). */
    public Builder setPollInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("pollInterval must be positive, but was " + interval);
      }
      this.pollInterval = interval;
      return this;
    }

    /** Builds it. */
    public AcmRenewExecutor build() {
      return new AcmRenewExecutor(this);
    }
  }
}

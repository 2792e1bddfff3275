package dev.sreagent.aws;

import dev.sreagent.api.Polling;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.TelemetrySink;
import dev.sreagent.api.port.TelemetrySource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.acm.AcmClient;
import software.amazon.awssdk.services.acm.model.CertificateSummary;
import software.amazon.awssdk.services.acm.model.KeyAlgorithm;
import software.amazon.awssdk.services.acm.model.Tag;

/**
 * AWS Certificate Manager certificates as a telemetry source: every poll (default every 10 minutes) lists the
 * certificates and sends, for each one tagged with its service ({@link #DEFAULT_SERVICE_TAG} unless configured), the
 * seconds until it expires as {@link MetricNames#CERTIFICATE_TIME_TO_EXPIRY} with {@code service.name} and
 * {@code tls.certificate.name} (the certificate's {@code Name} tag, else its ARN: the name the agent's renewal action
 * carries and {@link AcmRenewExecutor} finds it by). Certificates without the service tag are counted
 * ({@code untagged}) and not sent. A failed poll is logged and counted ({@code poll.failed}), never thrown.
 *
 * <p>IAM: {@code acm:ListCertificates}, {@code acm:ListTagsForCertificate}.
 */
public final class AcmCertificates implements TelemetrySource {
  private static final Logger LOG = LoggerFactory.getLogger(AcmCertificates.class);
  /** The tag naming a certificate's service unless configured. */
  public static final String DEFAULT_SERVICE_TAG = "service.name";
  /** The tag whose value names a certificate for the agent (else its ARN). */
  public static final String NAME_TAG = "Name";

  /** One certificate as listed: its ARN, name for the agent, service, expiry, type and tags. */
  record Listed(String arn, String name, @Nullable String service, @Nullable Instant notAfter, String type,
      Map<String, String> tags) {}

  private final AcmClient acm;
  private final String serviceTag;
  private final Duration interval;
  private final Clock clock;
  private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
  private volatile @Nullable TelemetrySink sink;
  private @Nullable Polling polling;

  private AcmCertificates(Builder b) {
    this.acm = b.acm;
    this.serviceTag = b.serviceTag;
    this.interval = b.interval;
    this.clock = b.clock;
  }

  /** A builder over {@code acm} (a client the caller built: region, credentials, HTTP client). */
  public static Builder builder(AcmClient acm) {
    return new Builder(acm);
  }

  @Override
  public String name() {
    return "aws-acm";
  }

  @Override
  public synchronized void start(TelemetrySink target) {
    if (polling != null) {
      return;
    }
    this.sink = Objects.requireNonNull(target, "target");
    polling = Polling.start("sre-agent-acm", interval, false, this::poll, (e, inARow, next) -> {
      count("poll.failed");
      LOG.warn("ACM poll failed (the next one in {}): {}", interval, e.toString());
    });
  }

  /**
   * One poll: sends the time to expiry of every tagged certificate; returns how many were sent.
   *
   * @throws IllegalStateException before {@link #start}
   */
  public int poll() {
    TelemetrySink target = sink;
    if (target == null) {
      throw new IllegalStateException("no sink: start(sink) first");
    }
    Instant now = clock.now();
    int sent = 0;
    for (Listed c : list(acm, serviceTag, counters.computeIfAbsent("tags.failed", k -> new AtomicLong()))) {
      if (c.service() == null) {
        count("untagged");
        continue;
      }
      if (c.notAfter() == null) {
        count("no-expiry");
        continue;
      }
      Map<String, String> attributes = new LinkedHashMap<>();
      attributes.put(Attributes.SERVICE_NAME, c.service());
      attributes.put(Attributes.TLS_CERTIFICATE, c.name());
      attributes.put("aws.acm.certificate.arn", c.arn());
      attributes.put("aws.acm.certificate.type", c.type());
      try {
        target.accept(new MetricSample(MetricNames.CERTIFICATE_TIME_TO_EXPIRY,
            Duration.between(now, c.notAfter()).toSeconds(), now, attributes));
        sent++;
      } catch (RuntimeException e) {  // one sample the sink refuses never hides the others
        count("sink.failed");
        LOG.warn("the sink refused the expiry of certificate {}: {}", c.name(), e.toString());
      }
    }
    count("sent", sent);
    return sent;
  }

  /** {@code tag} when it names a tag; else the exception naming the setting and an example. */
  static String serviceTag(@Nullable String tag) {
    if (tag == null || tag.isBlank()) {
      throw new IllegalArgumentException("serviceTag must name a tag, such as service.name, but was '" + tag + "'");
    }
    return tag;
  }

  /**
   * Every certificate of the account and region (of every key algorithm: ACM lists only RSA 1024 and 2048 ones unless
   * asked), with its tags; a certificate whose tags cannot be read (deleted since the list, a throttled call) is left
   * out and counted in {@code skipped} when given.
   */
  static List<Listed> list(AcmClient acm, String serviceTag, @Nullable AtomicLong skipped) {
    List<Listed> out = new ArrayList<>();
    for (CertificateSummary s : acm.listCertificatesPaginator(b -> b.maxItems(100)
        .includes(f -> f.keyTypes(KeyAlgorithm.knownValues()))).certificateSummaryList()) {
      Map<String, String> tags = new LinkedHashMap<>();
      try {
        for (Tag t : acm.listTagsForCertificate(b -> b.certificateArn(s.certificateArn())).tags()) {
          tags.put(t.key(), t.value() == null ? "" : t.value());
        }
      } catch (RuntimeException e) {
        if (skipped != null) {
          skipped.incrementAndGet();
        }
        LOG.debug("left out certificate {}: its tags cannot be read ({})", s.certificateArn(), e.toString());
        continue;
      }
      String name = tags.getOrDefault(NAME_TAG, s.certificateArn());
      String service = tags.get(serviceTag);
      out.add(new Listed(s.certificateArn(), name.isBlank() ? s.certificateArn() : name,
          service == null || service.isBlank() ? null : service, s.notAfter(), s.typeAsString(), tags));
    }
    return out;
  }

  /**
   * Polls so far by outcome: {@code sent}, {@code untagged}, {@code no-expiry}, {@code tags.failed},
   * {@code sink.failed}, {@code poll.failed}.
   */
  public Map<String, Long> counters() {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  private void count(String counter) {
    count(counter, 1);
  }

  private void count(String counter, long n) {
    counters.computeIfAbsent(counter, k -> new AtomicLong()).addAndGet(n);
  }

  @Override
  public synchronized void close() {
    if (polling != null) {
      polling.close();
      polling = null;
    }
  }

  /** Builds {@link AcmCertificates}. */
  public static final class Builder {
    private final AcmClient acm;
    private String serviceTag = DEFAULT_SERVICE_TAG;
    private Duration interval = Duration.ofMinutes(10);
    private Clock clock = Clock.system();

    private Builder(AcmClient acm) {
      this.acm = Objects.requireNonNull(acm, "acm");
    }

    /** The tag whose value is the certificate's service (default {@value #DEFAULT_SERVICE_TAG}). */
    public Builder setServiceTag(String tag) {
      this.serviceTag = serviceTag(tag);
      return this;
    }

    /** How often the certificates are listed (default 10 minutes, at least 10 s). */
    public Builder setInterval(Duration interval) {
      if (interval.compareTo(Duration.ofSeconds(10)) < 0) {
        throw new IllegalArgumentException("interval must be at least 10s, but was " + interval);
      }
      this.interval = interval;
      return this;
    }

    /** The clock the time to expiry is measured on. */
    public Builder setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Builds it; {@link AcmCertificates#start} polls. */
    public AcmCertificates build() {
      return new AcmCertificates(this);
    }
  }
}

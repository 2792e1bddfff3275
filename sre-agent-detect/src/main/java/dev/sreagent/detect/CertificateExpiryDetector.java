package dev.sreagent.detect;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Severity;
import java.time.Duration;

/** Certificate expiry: a certificate that expires within {@code window} (default 14 days). SEV2 within 3 days. */
public final class CertificateExpiryDetector extends RuleDetector<RuleDetector.ResourceState> {
  /** Default warning window. */
  public static final Duration DEFAULT_WINDOW = Duration.ofDays(14);

  private final Duration window;

  /** With the default window. */
  public CertificateExpiryDetector() {
    this(DEFAULT_WINDOW);
  }

  /** With a custom window. */
  public CertificateExpiryDetector(Duration window) {
    super(MetricNames.CERTIFICATE_TIME_TO_EXPIRY, Duration.ZERO, Duration.ZERO, MAX_RESOURCES);
    this.window = Require.positive(window, "window");
  }

  @Override
  public String name() {
    return "certificate-expiry";
  }

  @Override
  public IncidentType type() {
    return IncidentType.CERTIFICATE_EXPIRY;
  }

  @Override
  String resourceOf(MetricSample s) {
    String cert = s.attribute(Attributes.TLS_CERTIFICATE);
    return cert == null ? s.service() : cert;
  }

  @Override
  ResourceState newState(String service, String resource) {
    return new ResourceState(service, resource);
  }

  @Override
  Evaluation evaluate(ResourceState st, MetricSample sample) {
    return new Evaluation(sample.value() < window.toSeconds(), window.toSeconds());
  }

  @Override
  Severity severityOf(ResourceState st, double value, double t) {
    return value < Duration.ofDays(3).toSeconds() ? Severity.SEV2 : Severity.SEV3;
  }

  @Override
  double scoreOf(double value, double t) {
    return clampUnit(1.0 - value / t);
  }

  @Override
  String describe(ResourceState st, double value, double t) {
    return String.format("certificate %s of %s expires in %.1f days (warning window %.0f days)", st.resource,
        st.service, value / 86400, t / 86400);
  }
}

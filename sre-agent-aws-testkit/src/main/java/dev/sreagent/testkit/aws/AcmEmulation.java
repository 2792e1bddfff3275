package dev.sreagent.testkit.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sreagent.testkit.aws.Json11.AwsError;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The AWS Certificate Manager state behind an {@link AwsEmulator}, and its operations over JSON 1.1
 * ({@code X-Amz-Target: CertificateManager.*}): {@code ListCertificates} (pages of {@code MaxItems}, default 50),
 * {@code DescribeCertificate}, {@code ListTagsForCertificate}, {@code AddTagsToCertificate},
 * {@code RemoveTagsFromCertificate} (ACM's tag rules: at most 50, keys 1-128, values at most 256 characters) and
 * {@code RenewCertificate}, which ACM allows for {@code PRIVATE} certificates only (others: {@code ValidationException});
 * a renewal takes effect at once, extending {@code NotAfter} by the certificate's validity from now.
 *
 * <p>Not emulated: requesting, importing, exporting or deleting certificates, DNS or e-mail validation, managed
 * renewal of {@code AMAZON_ISSUED} certificates, key algorithms, {@code InUseBy}, and account-level configuration.
 */
public final class AcmEmulation {
  /** A certificate as a test sees it. */
  public record Certificate(String arn, String domain, String type, Instant notAfter, Map<String, String> tags) {}

  /** A renewal a client asked for, told to the {@link #setRenewalListener listener} after it took effect. */
  public record Renewal(String arn, Map<String, String> tags, @Nullable String key) {}

  private static final class Cert {
    final String arn;
    final String domain;
    final String type;
    Instant notBefore;
    Instant notAfter;
    final Duration validity;
    final Map<String, String> tags = new LinkedHashMap<>();

    Cert(String arn, String domain, String type, Instant notBefore, Instant notAfter) {
      this.arn = arn;
      this.domain = domain;
      this.type = type;
      this.notBefore = notBefore;
      this.notAfter = notAfter;
      this.validity = Duration.ofDays(395);
    }
  }

  private final String region;
  private final Map<String, Cert> certificates = new LinkedHashMap<>();
  private Supplier<Instant> clock = Instant::now;
  private @Nullable Consumer<Renewal> renewals;
  private long ids;

  AcmEmulation(String region) {
    this.region = region;
  }

  synchronized void setClock(Supplier<Instant> clock) {
    this.clock = clock;
  }

  /**
   * Adds a certificate for {@code domain} of {@code type} ({@code PRIVATE}, {@code AMAZON_ISSUED} or {@code IMPORTED})
   * valid until {@code notAfter}, with {@code tags}; returns its ARN.
   */
  public synchronized String add(String domain, String type, Instant notAfter, Map<String, String> tags) {
    if (!List.of("PRIVATE", "AMAZON_ISSUED", "IMPORTED").contains(type)) {
      throw new IllegalArgumentException("type must be PRIVATE, AMAZON_ISSUED or IMPORTED, but was " + type);
    }
    String arn = "arn:aws:acm:" + region + ":" + EcsEmulation.ACCOUNT + ":certificate/"
        + String.format("%08x-0000-4000-8000-%012x", ++ids, ids);
    Cert c = new Cert(arn, domain, type, notAfter.minus(Duration.ofDays(395)), notAfter);
    c.tags.putAll(tags);
    certificates.put(arn, c);
    return arn;
  }

  /** Sets a certificate's expiry (the state a controller publishes). */
  public synchronized void setNotAfter(String arn, Instant notAfter) {
    cert(arn).notAfter = notAfter;
  }

  /** The certificate now. */
  public synchronized Certificate certificate(String arn) {
    Cert c = cert(arn);
    return new Certificate(c.arn, c.domain, c.type, c.notAfter, Map.copyOf(c.tags));
  }

  /** The certificate whose tag {@code key} is {@code value}, if any. */
  public synchronized Optional<String> arnTagged(String key, String value) {
    return certificates.values().stream().filter(c -> value.equals(c.tags.get(key))).map(c -> c.arn).findFirst();
  }

  /** Who is told of every renewal a client makes (a simulation); null for nobody. */
  public synchronized AcmEmulation setRenewalListener(@Nullable Consumer<Renewal> listener) {
    this.renewals = listener;
    return this;
  }

  synchronized AwsEmulator.Response handle(AwsEmulator.Request r) {
    try {
      ObjectNode in = Json11.parse(r.body());
      JsonNode out = switch (r.operation()) {
        case "ListCertificates" -> list(in);
        case "DescribeCertificate" -> describe(in);
        case "ListTagsForCertificate" -> listTags(in);
        case "AddTagsToCertificate" -> addTags(in);
        case "RemoveTagsFromCertificate" -> removeTags(in);
        case "RenewCertificate" -> renew(in, EcsEmulation.keyOf(r));
        default -> throw new AwsError(400, "UnknownOperationException", "the emulator does not serve ACM's "
            + r.operation());
      };
      return Json11.ok(out);
    } catch (AwsError e) {
      return Json11.error(e.status, e.code, e.getMessage());
    }
  }

  private JsonNode list(ObjectNode in) {
    int max = in.path("MaxItems").asInt(50);
    if (max < 1 || max > 1000) {
      throw AwsError.client("ValidationException", "MaxItems must be between 1 and 1000");
    }
    List<Cert> all = new ArrayList<>(certificates.values());
    int from = 0;
    if (in.hasNonNull("NextToken")) {
      try {
        from = Integer.parseInt(in.get("NextToken").asText());
      } catch (NumberFormatException e) {
        throw AwsError.client("InvalidArgsException", "The NextToken is invalid");
      }
    }
    ObjectNode out = Json11.MAPPER.createObjectNode();
    ArrayNode page = out.putArray("CertificateSummaryList");
    for (Cert c : all.subList(Math.min(from, all.size()), Math.min(from + max, all.size()))) {
      page.addObject().put("CertificateArn", c.arn).put("DomainName", c.domain).put("Type", c.type)
          .put("NotAfter", c.notAfter.getEpochSecond()).put("Status", status(c));
    }
    if (from + max < all.size()) {
      out.put("NextToken", Integer.toString(from + max));
    }
    return out;
  }

  private String status(Cert c) {
    return c.notAfter.isAfter(clock.get()) ? "ISSUED" : "EXPIRED";
  }

  private JsonNode describe(ObjectNode in) {
    Cert c = byArn(in);
    ObjectNode out = Json11.MAPPER.createObjectNode();
    out.putObject("Certificate").put("CertificateArn", c.arn).put("DomainName", c.domain).put("Type", c.type)
        .put("Status", status(c)).put("NotBefore", c.notBefore.getEpochSecond())
        .put("NotAfter", c.notAfter.getEpochSecond())
        .put("RenewalEligibility", c.type.equals("IMPORTED") ? "INELIGIBLE" : "ELIGIBLE");
    return out;
  }

  private JsonNode listTags(ObjectNode in) {
    Cert c = byArn(in);
    ObjectNode out = Json11.MAPPER.createObjectNode();
    ArrayNode tags = out.putArray("Tags");
    c.tags.forEach((k, v) -> tags.addObject().put("Key", k).put("Value", v));
    return out;
  }

  private JsonNode addTags(ObjectNode in) {
    Cert c = byArn(in);
    Map<String, String> next = new LinkedHashMap<>(c.tags);
    for (JsonNode t : in.path("Tags")) {
      String k = t.path("Key").asText("");
      String v = t.path("Value").asText("");
      if (k.isEmpty() || k.length() > 128 || v.length() > 256 || k.toLowerCase(java.util.Locale.ROOT)
          .startsWith("aws:")) {
        throw AwsError.client("InvalidTagException", "invalid tag " + k + "=" + v);
      }
      next.put(k, v);
    }
    if (next.size() > 50) {
      throw AwsError.client("TooManyTagsException", "a certificate can have at most 50 tags");
    }
    c.tags.clear();
    c.tags.putAll(next);
    return Json11.MAPPER.createObjectNode();
  }

  private JsonNode removeTags(ObjectNode in) {
    Cert c = byArn(in);
    for (JsonNode t : in.path("Tags")) {
      c.tags.remove(t.path("Key").asText());
    }
    return Json11.MAPPER.createObjectNode();
  }

  private JsonNode renew(ObjectNode in, @Nullable String key) {
    Cert c = byArn(in);
    if (!c.type.equals("PRIVATE")) {
      throw AwsError.client("ValidationException", "Certificate " + c.arn + " is not a private certificate; only"
          + " private certificates can be renewed with RenewCertificate");
    }
    Instant now = clock.get();
    c.notBefore = now;
    c.notAfter = now.plus(c.validity);
    if (renewals != null) {
      renewals.accept(new Renewal(c.arn, Map.copyOf(c.tags), key));
    }
    return Json11.MAPPER.createObjectNode();
  }

  private Cert byArn(ObjectNode in) {
    String arn = in.path("CertificateArn").asText("");
    Cert c = certificates.get(arn);
    if (c == null) {
      throw AwsError.client("ResourceNotFoundException", "Could not find certificate " + arn + ".");
    }
    return c;
  }

  private Cert cert(String arn) {
    Cert c = certificates.get(arn);
    if (c == null) {
      throw new IllegalArgumentException("no certificate " + arn);
    }
    return c;
  }
}

package dev.sreagent.testkit.aws;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies AWS Signature Version 4 ({@code AWS4-HMAC-SHA256} in the {@code Authorization} header) the way AWS does:
 * the canonical request rebuilt from what arrived, the signing key derived from the secret, date, region and service,
 * the request's time within 5 minutes of the verifier's clock. Written from AWS's published description of the
 * algorithm, independently of the SDK that signs; {@code SigV4Test} checks it against AWS's published example.
 * Presigned URLs (the signature in the query) and SigV4a are not verified: the adapter uses neither.
 */
final class SigV4 {
  static final String ALGORITHM = "AWS4-HMAC-SHA256";
  static final Duration SKEW = Duration.ofMinutes(5);
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** What the Authorization header claims. */
  record Credential(String accessKeyId, String date, String region, String service) {}

  /** The outcome: the credential when valid, else why not (in AWS's words where AWS has them). */
  record Verdict(Optional<Credential> credential, String errorCode, String message) {
    static Verdict ok(Credential c) {
      return new Verdict(Optional.of(c), "", "");
    }

    static Verdict refused(String code, String message) {
      return new Verdict(Optional.empty(), code, message);
    }

    boolean valid() {
      return credential.isPresent();
    }
  }

  private SigV4() {}

  /**
   * Verifies one request.
   *
   * @param method HTTP method
   * @param rawPath the path as sent (still percent-encoded)
   * @param rawQuery the query as sent, or null
   * @param headers the request headers, names in any case (first value of each)
   * @param body the request body
   * @param secrets secret access key by access key id
   * @param region the region this endpoint serves
   * @param service the signing name of the API the request is for ({@code ecs}, {@code monitoring}, ...), or null to
   *     accept any (AWS's published examples use {@code service})
   * @param now the verifier's clock
   */
  static Verdict verify(String method, String rawPath, String rawQuery, Map<String, String> headers, byte[] body,
      Map<String, String> secrets, String region, String service, Instant now) {
    Map<String, String> h = new TreeMap<>();
    headers.forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), v));
    String auth = h.get("authorization");
    if (auth == null || auth.isBlank()) {
      return Verdict.refused("MissingAuthenticationTokenException", "Missing Authentication Token");
    }
    if (!auth.startsWith(ALGORITHM + " ")) {
      return Verdict.refused("IncompleteSignatureException", "Authorization header must use " + ALGORITHM);
    }
    Map<String, String> parts = new TreeMap<>();
    for (String p : auth.substring(ALGORITHM.length() + 1).split(",")) {
      int eq = p.indexOf('=');
      if (eq > 0) {
        parts.put(p.substring(0, eq).strip(), p.substring(eq + 1).strip());
      }
    }
    String credential = parts.get("Credential");
    String signedHeaders = parts.get("SignedHeaders");
    String signature = parts.get("Signature");
    if (credential == null || signedHeaders == null || signature == null) {
      return Verdict.refused("IncompleteSignatureException",
          "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'");
    }
    String[] scope = credential.split("/");
    if (scope.length != 5 || !scope[4].equals("aws4_request")) {
      return Verdict.refused("IncompleteSignatureException", "Credential must be KEY/DATE/REGION/SERVICE/aws4_request,"
          + " but was " + credential);
    }
    Credential c = new Credential(scope[0], scope[1], scope[2], scope[3]);
    String secret = secrets.get(c.accessKeyId());
    if (secret == null) {
      return Verdict.refused("UnrecognizedClientException", "The security token included in the request is invalid.");
    }
    if (!c.region().equals(region)) {
      return Verdict.refused("InvalidSignatureException", "Credential should be scoped to a valid region, not '"
          + c.region() + "'; this endpoint serves " + region);
    }
    if (service != null && !c.service().equals(service)) {
      return Verdict.refused("InvalidSignatureException", "Credential should be scoped to correct service: '"
          + service + "', not '" + c.service() + "'");
    }
    String amzDate = h.get("x-amz-date");
    if (amzDate == null) {
      return Verdict.refused("IncompleteSignatureException", "X-Amz-Date header is required");
    }
    Instant at;
    try {
      at = Instant.from(AMZ_DATE.parse(amzDate));
    } catch (DateTimeParseException e) {
      return Verdict.refused("IncompleteSignatureException", "X-Amz-Date must be yyyyMMddTHHmmssZ, but was " + amzDate);
    }
    if (!amzDate.startsWith(c.date())) {
      return Verdict.refused("InvalidSignatureException", "Credential date " + c.date() + " does not match X-Amz-Date "
          + amzDate);
    }
    if (Duration.between(at, now).abs().compareTo(SKEW) > 0) {
      return Verdict.refused("InvalidSignatureException", "Signature expired: " + amzDate + " is now earlier than "
          + AMZ_DATE.format(now.minus(SKEW)) + " or later than " + AMZ_DATE.format(now.plus(SKEW)));
    }
    List<String> signed = List.of(signedHeaders.split(";"));
    if (!signed.contains("host")) {
      return Verdict.refused("InvalidSignatureException", "'Host' must be a signed header");
    }
    StringBuilder canonicalHeaders = new StringBuilder();
    for (String name : signed) {
      String v = h.get(name);
      if (v == null) {
        return Verdict.refused("InvalidSignatureException", "signed header '" + name + "' is not in the request");
      }
      canonicalHeaders.append(name).append(':').append(v.strip().replaceAll("\\s+", " ")).append('\n');
    }
    String payloadHash = hex(sha256(body));
    String declared = h.get("x-amz-content-sha256");
    if ("UNSIGNED-PAYLOAD".equals(declared) && !"s3".equals(c.service())) {
      return Verdict.refused("InvalidSignatureException", "UNSIGNED-PAYLOAD is accepted by S3 only: sign the body");
    }
    if (declared != null && !declared.equals("UNSIGNED-PAYLOAD") && !declared.equals(payloadHash)) {
      return Verdict.refused("InvalidSignatureException", "x-amz-content-sha256 does not match the body");
    }
    String canonicalRequest = method + "\n" + canonicalPath(rawPath) + "\n" + canonicalQuery(rawQuery) + "\n"
        + canonicalHeaders + "\n" + signedHeaders + "\n"
        + (declared != null && signed.contains("x-amz-content-sha256") ? declared : payloadHash);
    String expected = signature(secret, c, amzDate, canonicalRequest);
    if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        signature.getBytes(StandardCharsets.US_ASCII))) {
      return Verdict.refused("InvalidSignatureException", "The request signature we calculated does not match the"
          + " signature you provided. Check your AWS Secret Access Key and signing method.");
    }
    return Verdict.ok(c);
  }

  /** The signature of {@code canonicalRequest} (hex), as the signer computes it. */
  static String signature(String secret, Credential c, String amzDate, String canonicalRequest) {
    String scope = c.date() + "/" + c.region() + "/" + c.service() + "/aws4_request";
    String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
        + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), c.date());
    key = hmac(key, c.region());
    key = hmac(key, c.service());
    key = hmac(key, "aws4_request");
    return hex(hmac(key, stringToSign));
  }

  /** Each segment decoded, then encoded as SigV4 encodes (unreserved characters kept, the rest %XX). */
  static String canonicalPath(String rawPath) {
    if (rawPath == null || rawPath.isEmpty()) {
      return "/";
    }
    List<String> out = new ArrayList<>();
    for (String segment : rawPath.split("/", -1)) {
      out.add(encode(URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8)));
    }
    return String.join("/", out);
  }

  static String canonicalQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return "";
    }
    List<String[]> pairs = new ArrayList<>();
    for (String p : rawQuery.split("&")) {
      int eq = p.indexOf('=');
      String k = eq < 0 ? p : p.substring(0, eq);
      String v = eq < 0 ? "" : p.substring(eq + 1);
      pairs.add(new String[] {encode(URLDecoder.decode(k, StandardCharsets.UTF_8)),
          encode(URLDecoder.decode(v, StandardCharsets.UTF_8))});
    }
    pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
    List<String> out = new ArrayList<>();
    for (String[] p : pairs) {
      out.add(p[0] + "=" + p[1]);
    }
    return String.join("&", out);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}

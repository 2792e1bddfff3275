package dev.sreagent.llm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets and personal data from text before it leaves the process: private keys, JWTs, cloud and SaaS
 * keys (AWS, GitHub, Slack, OpenAI/Anthropic, Google, Stripe), bearer tokens, credentials in URLs, values of
 * {@code password=}, {@code token:}, {@code api_key} and similar settings, card numbers (Luhn-checked), and — unless
 * switched off — e-mail addresses and IPv4/IPv6 addresses. Each is replaced by {@code [REDACTED:kind]}. Custom
 * patterns can be added. Thread-safe and immutable.
 *
 * <pre>{@code
 * Redactor r = Redactor.builder().keepIpAddresses().addPattern("employee-id", "EMP-\\d{6}").build();
 * String safe = r.redact(text);
 * }</pre>
 */
public final class Redactor {
  private record Rule(String kind, Pattern pattern, int keepGroup) {}

  private static final List<Rule> SECRETS = List.of(
      new Rule("private-key", Pattern.compile(
          "-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)"), 0),
      new Rule("jwt", Pattern.compile("\\beyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}"), 0),
      new Rule("aws-key", Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b"), 0),
      new Rule("github-token", Pattern.compile("\\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})"), 0),
      new Rule("slack-token", Pattern.compile("\\bxox[abposr]-[A-Za-z0-9-]{10,}"), 0),
      new Rule("api-key", Pattern.compile("\\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}"), 0),
      new Rule("google-key", Pattern.compile("\\bAIza[0-9A-Za-z_-]{35}"), 0),
      new Rule("stripe-key", Pattern.compile("\\b[rsp]k_(?:live|test)_[0-9a-zA-Z]{16,}"), 0),
      new Rule("bearer", Pattern.compile("(?i)\\b(bearer|basic)\\s+[A-Za-z0-9._~+/=-]{8,}"), 1),
      new Rule("url-credentials", Pattern.compile("(?<=://)[^/\\s:@]+:[^/\\s@]+(?=@)"), 0),
      new Rule("secret-setting", Pattern.compile("(?i)((?<![a-z0-9])(?:password|passwd|pwd|secret|token|api[_-]?key|apikey"
          + "|access[_-]?key|secret[_-]?key|client[_-]?secret|private[_-]?key|auth[_-]?token|credentials?)"
          + "(?![a-z0-9])[\"']?\\s*[=:]\\s*[\"']?)[^\\s\"',;&}]+"), 1),
      new Rule("secret-setting", Pattern.compile("(?i)(\\b(?:requirepass|masterauth)\\s+|--password[=\\s]\\s*"
          + "|\\bIDENTIFIED BY\\s+'?)[^\\s'\"]+"), 1));
  private static final Rule EMAIL = new Rule("email",
      Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}"), 0);
  private static final Rule IPV4 = new Rule("ip", Pattern.compile(
      "\\b(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\b"), 0);
  private static final Rule IPV6 = new Rule("ip", Pattern.compile(
      "(?<![0-9A-Fa-f:])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,7}:"
          + "|(?:[0-9A-Fa-f]{1,4}:){1,6}(?::[0-9A-Fa-f]{1,4}){1,6}|::(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{1,4})"
          + "(?![0-9A-Fa-f:])"), 0);
  private static final Pattern CARD = Pattern.compile("\\b\\d(?:[ -]?\\d){12,18}\\b");

  private final List<Rule> rules;
  private final boolean cards;

  private Redactor(List<Rule> rules, boolean cards) {
    this.rules = List.copyOf(rules);
    this.cards = cards;
  }

  /** Everything on: secrets, card numbers, e-mail and IP addresses. */
  public static Redactor defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder of {@link Redactor}. */
  public static final class Builder {
    private boolean emails = true;
    private boolean ips = true;
    private boolean cards = true;
    private final List<Rule> custom = new ArrayList<>();

    private Builder() {}

    /** Leaves e-mail addresses in (they are redacted by default). */
    public Builder keepEmails() {
      emails = false;
      return this;
    }

    /** Leaves IP addresses in (they are redacted by default; pod IPs may help a diagnosis). */
    public Builder keepIpAddresses() {
      ips = false;
      return this;
    }

    /** Leaves card-like numbers in. */
    public Builder keepCardNumbers() {
      cards = false;
      return this;
    }

    /** Adds a pattern whose every match is replaced by {@code [REDACTED:kind]}. */
    public Builder addPattern(String kind, String regex) {
      custom.add(new Rule(Objects.requireNonNull(kind, "kind"), Pattern.compile(regex), 0));
      return this;
    }

    public Redactor build() {
      List<Rule> all = new ArrayList<>(SECRETS);
      all.addAll(custom);
      if (emails) {
        all.add(EMAIL);
      }
      if (ips) {
        all.add(IPV6);
        all.add(IPV4);
      }
      return new Redactor(all, cards);
    }
  }

  /** The redacted text. */
  public String redact(String text) {
    return redact(text, new LinkedHashMap<>());
  }

  /** The redacted text; {@code counts} receives the number of redactions by kind. */
  public String redact(String text, Map<String, Integer> counts) {
    String out = text;
    for (Rule rule : rules) {
      Matcher m = rule.pattern().matcher(out);
      StringBuilder b = null;
      while (m.find()) {
        if (b == null) {
          b = new StringBuilder();
        }
        String keep = rule.keepGroup() > 0 && m.group(rule.keepGroup()) != null ? m.group(rule.keepGroup())
            + (rule.kind().equals("bearer") ? " " : "") : "";
        m.appendReplacement(b, Matcher.quoteReplacement(keep + "[REDACTED:" + rule.kind() + "]"));
        counts.merge(rule.kind(), 1, Integer::sum);
      }
      if (b != null) {
        m.appendTail(b);
        out = b.toString();
      }
    }
    return cards ? cards(out, counts) : out;
  }

  private static String cards(String text, Map<String, Integer> counts) {
    Matcher m = CARD.matcher(text);
    StringBuilder b = new StringBuilder();
    boolean any = false;
    while (m.find()) {
      String digits = m.group().replaceAll("[ -]", "");
      if (digits.length() >= 13 && luhn(digits)) {
        m.appendReplacement(b, "[REDACTED:card]");
        counts.merge("card", 1, Integer::sum);
        any = true;
      }
    }
    if (!any) {
      return text;
    }
    m.appendTail(b);
    return b.toString();
  }

  private static boolean luhn(String digits) {
    int sum = 0;
    boolean doubled = false;
    for (int i = digits.length() - 1; i >= 0; i--) {
      int d = digits.charAt(i) - '0';
      if (doubled) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      doubled = !doubled;
    }
    return sum % 10 == 0;
  }
}

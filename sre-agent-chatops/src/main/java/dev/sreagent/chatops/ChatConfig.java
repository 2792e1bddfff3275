package dev.sreagent.chatops;

import dev.sreagent.api.config.ConfigView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** The configuration checks the chat adapters share: secrets from environment variables, URLs, durations. */
final class ChatConfig {
  private static final Pattern ENTRA_SECRET = Pattern.compile("[0-9]Q~[A-Za-z0-9_.~-]{20,}");

  private ChatConfig() {}

  /**
   * The secret in the environment variable that {@code key} names; null, with the problem added, when the key is
   * missing, holds what looks like the secret itself (never echoed), or names an empty variable.
   */
  static @Nullable String secret(ConfigView config, String key, String example, String what,
      Function<String, @Nullable String> environment, List<String> problems) {
    String name = config.get(key, "").strip();
    if (name.isEmpty()) {
      problems.add(key + " is missing: name the environment variable that holds " + what + " (such as " + example
          + ")");
      return null;
    }
    if (!name.matches("[A-Za-z_][A-Za-z0-9_]*") || looksLikeASecret(name)) {
      problems.add(key + " must name an environment variable (such as " + example + "), not hold the secret; it was '"
          + (name.length() > 4 ? name.substring(0, 4) + "..." : name) + "'");
      return null;
    }
    String value = environment.apply(name);
    if (value == null || value.isBlank()) {
      problems.add(key + " names " + name + ", but that environment variable is empty; export " + what + " there");
      return null;
    }
    return value.strip();
  }

  /**
   * A Slack token, a signing secret (hex), a Microsoft Entra client secret ({@code abc8Q~...}, anywhere in the
   * value), or anything as long and as random: never echoed.
   */
  static boolean looksLikeASecret(String value) {
    return value.startsWith("xox") || value.matches("(?i)[0-9a-f]{24,}") || ENTRA_SECRET.matcher(value).find()
        || (value.length() >= 24 && value.chars().filter(Character::isDigit).count() >= 6);
  }

  /** {@code value} as a configuration error quotes it: cut to {@code max}, or its first four characters if a secret. */
  static String shown(String value, int max) {
    return looksLikeASecret(value) ? value.substring(0, Math.min(4, value.length())) + "..."
        : SlackMessages.cut(value, max);
  }

  /**
   * How a chat service names approvers under {@code key} ({@code ID:ROLE, ...}), for the parser's messages.
   *
   * @param id what an ID looks like
   * @param caseless whether IDs are the same whatever their case (GUIDs)
   * @param form the pair's form in messages ({@code USERID:ROLE})
   * @param emptyHelp what a pair is, when none is given
   * @param pairHelp what a pair is, when one is malformed
   * @param who who an approver is ("member", "user")
   */
  record ApproverIds(String key, Pattern id, boolean caseless, String form, String emptyHelp, String pairHelp,
      String who) {}

  /**
   * Gives {@code add} each {@code ID:ROLE} pair under {@code ids.key()}; the problem, naming the key, for none at all,
   * a malformed pair, a role the agent does not accept (when {@code acceptedRoles} is not empty), or one ID given two
   * roles. Blank entries are skipped; values are quoted cut, and never when they look like a secret.
   */
  static void approvers(ConfigView config, ApproverIds ids, Set<String> acceptedRoles, List<String> problems,
      BiConsumer<String, String> add) {
    List<String> pairs = new ArrayList<>();
    for (String pair : config.get(ids.key(), "").split(",")) {
      if (!pair.isBlank()) {
        pairs.add(pair.strip());
      }
    }
    if (pairs.isEmpty()) {
      problems.add(ids.key() + " is empty: name who may approve as " + ids.form() + " pairs (" + ids.emptyHelp()
          + "); a click by anyone else decides nothing");
    }
    Map<String, String> given = new TreeMap<>();
    for (String pair : pairs) {
      String[] p = pair.split(":", -1);
      String id = p[0].strip();
      String role = p.length == 2 ? p[1].strip() : "";
      if (p.length != 2 || !ids.id().matcher(id).matches() || role.isEmpty()) {
        problems.add(ids.key() + ": '" + shown(pair, 80) + "' is not " + ids.form() + " (" + ids.pairHelp() + ")");
      } else if (!acceptedRoles.isEmpty() && !acceptedRoles.contains(role)) {
        problems.add(ids.key() + " gives " + id + " the role '" + shown(role, 40) + "', which the agent does not"
            + " accept as an approver (it accepts " + new TreeSet<>(acceptedRoles) + "): that " + ids.who()
            + "'s clicks would all be refused");
      } else {
        String same = ids.caseless() ? id.toLowerCase(Locale.ROOT) : id;
        String earlier = given.putIfAbsent(same, role);
        if (earlier != null && !earlier.equals(role)) {
          problems.add(ids.key() + " gives " + id + " two roles ('" + shown(earlier, 40) + "' and '"
              + shown(role, 40) + "'): name each approver once, with the role they approve as");
        } else {
          add.accept(id, role);
        }
      }
    }
  }

  /**
   * Refuses to build an adapter without approvers, or with approvers whose roles the agent does not accept
   * ({@code acceptedRoles}; empty: not checked): their clicks would all be refused.
   */
  static void checkApprovers(Map<String, String> approvers, Set<String> acceptedRoles) {
    if (approvers.isEmpty()) {
      throw new IllegalStateException("addApprover is required: without approvers no click can decide anything");
    }
    if (!acceptedRoles.isEmpty()) {
      Map<String, String> refused = new TreeMap<>(approvers);
      refused.values().removeIf(acceptedRoles::contains);
      if (!refused.isEmpty()) {
        throw new IllegalStateException("approvers " + refused + " have roles the agent does not accept (it accepts "
            + new TreeSet<>(acceptedRoles) + "): their clicks would all be refused");
      }
    }
  }

  /**
   * {@code url} when it is https://, or plain http:// to a loopback address (a local emulator); null, with the
   * problem added, otherwise.
   *
   * @param what what goes with every call, for the message ("the bot token")
   */
  static @Nullable String url(String key, String url, String example, String what, List<String> problems) {
    if (!url.startsWith("https://") && !url.startsWith("http://")) {
      problems.add(key + " must be an http(s) URL such as " + example + ", was '" + shown(url, 120) + "'");
      return null;
    }
    if (url.startsWith("http://") && !loopback(url)) {
      problems.add(key + " must be https:// (" + what + " goes with every call); plain http:// is for a local"
          + " emulator on 127.0.0.1 or localhost only, was '" + shown(url, 120) + "'");
      return null;
    }
    if (url.contains("@")) {
      problems.add(key + " must not hold credentials (user:password@), was not echoed");
      return null;
    }
    return url;
  }

  static boolean loopback(String url) {
    try {
      String host = java.net.URI.create(url).getHost();
      return host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]")
          || host.equals("::1"));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A positive duration such as {@code 10s} under {@code key}, given to {@code set}; the problem otherwise. */
  static void duration(ConfigView config, String key, Consumer<Duration> set, List<String> problems) {
    config.get(key).ifPresent(t -> {
      try {
        Duration d = Duration.parse("PT" + t.strip().toUpperCase(Locale.ROOT));
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException();
        }
        set.accept(d);
      } catch (RuntimeException e) {
        problems.add(key + " must be a duration such as 10s, was '" + t + "'");
      }
    });
  }
}

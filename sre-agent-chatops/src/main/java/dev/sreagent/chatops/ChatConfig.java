package dev.sreagent.chatops;

import dev.sreagent.api.config.ConfigView;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
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

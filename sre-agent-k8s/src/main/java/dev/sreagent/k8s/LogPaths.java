package dev.sreagent.k8s;

import java.util.List;
import java.util.Optional;

/**
 * Which log paths the truncation executor may touch, and the exact argument vectors it runs. The rules repeat the
 * core's truncation guardrail (defence in depth: the executor checks again what the guardrail already checked), and
 * are stricter: a path must already be normalised, so any {@code .} or {@code ..} segment, {@code //}, a relative
 * path, a backslash or a control character is refused rather than resolved.
 */
final class LogPaths {
  /** The same default as the core's {@code GuardrailLimits.DEFAULT_TRUNCATION_ALLOW_LIST}. */
  static final List<String> DEFAULT_ALLOWED = List.of("/var/log/");
  /** The same system directories as the core's {@code GuardrailLimits.FORBIDDEN_PATH_PREFIXES}. */
  static final List<String> FORBIDDEN = List.of("/bin", "/boot", "/dev", "/etc", "/lib", "/proc", "/root", "/sbin",
      "/sys", "/usr");

  private LogPaths() {}

  /** Why {@code prefix} cannot be an allow-list entry, or empty when it can (the core guardrail's rule). */
  static Optional<String> problemWithPrefix(String prefix) {
    if (prefix == null || !prefix.startsWith("/") || !prefix.endsWith("/") || prefix.equals("/")) {
      return Optional.of("must be an absolute directory ending in '/' other than '/', but was '" + prefix + "'");
    }
    Optional<String> unclean = unclean(prefix.substring(0, prefix.length() - 1));
    if (unclean.isPresent()) {
      return Optional.of("must be normalised: " + unclean.get() + ", but was '" + prefix + "'");
    }
    for (String forbidden : FORBIDDEN) {
      if (prefix.startsWith(forbidden + "/")) {
        return Optional.of("must not be under the system directory " + forbidden + ", but was '" + prefix + "'");
      }
    }
    return Optional.empty();
  }

  /** Why {@code path} may not be truncated under {@code allowed}, or empty when it may. */
  static Optional<String> refusal(String path, List<String> allowed) {
    if (!path.startsWith("/")) {
      return Optional.of("path '" + path + "' is not absolute: give the log directory as an absolute path under "
          + allowed);
    }
    String p = strip(path);
    Optional<String> unclean = unclean(p);
    if (unclean.isPresent()) {
      return Optional.of("path '" + path + "' is refused: " + unclean.get() + "; give the normalised path");
    }
    for (String forbidden : FORBIDDEN) {
      if ((p + "/").startsWith(forbidden + "/")) {
        return Optional.of("path '" + path + "' is under the system directory " + forbidden + ", never truncated");
      }
    }
    for (String prefix : allowed) {
      if ((p + "/").startsWith(prefix)) {
        return Optional.empty();
      }
    }
    return Optional.of("path '" + path + "' is not under the truncation allow-list " + allowed
        + "; add its directory to the executor's allowed prefixes (and the core guardrail's) if it is a log directory");
  }

  /**
   * What truncation runs: every regular file under {@code path} on its own file system becomes empty, each printed
   * first. {@code find} follows no symbolic link (not even {@code path} itself: a symlinked directory yields nothing),
   * {@code -type f} skips links, devices and sockets, {@code -xdev} stays on one file system; no shell is involved, so
   * nothing in the path is expanded.
   */
  static List<String> truncateArgv(String path) {
    return List.of("find", strip(path), "-xdev", "-type", "f", "-print", "-exec", "truncate", "-s", "0", "--", "{}",
        "+");
  }

  /** The read-only probe of a dry run: lists the regular files truncation would empty, changes nothing. */
  static List<String> probeArgv(String path) {
    return List.of("find", strip(path), "-xdev", "-type", "f", "-print");
  }

  private static String strip(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private static Optional<String> unclean(String p) {
    for (char c : p.toCharArray()) {
      if (c < 0x20 || c == 0x7f) {
        return Optional.of("it holds a control character");
      }
      if (c == '\\') {
        return Optional.of("it holds a backslash");
      }
    }
    if (p.contains("//")) {
      return Optional.of("it holds an empty segment ('//')");
    }
    for (String segment : p.split("/")) {
      if (segment.equals(".") || segment.equals("..")) {
        return Optional.of("it holds a '" + segment + "' segment");
      }
    }
    return Optional.empty();
  }
}

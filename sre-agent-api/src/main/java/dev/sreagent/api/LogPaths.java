package dev.sreagent.api;

import java.util.List;
import java.util.Optional;

/**
 * Which log paths a truncation executor may touch, and the exact argument vectors it runs (shared by the Kubernetes
 * executor, which runs them through {@code pods/exec}, and the AWS Systems Manager one, which quotes them into a shell
 * script). The rules repeat the core's truncation guardrail (defence in depth: the executor checks again what the
 * guardrail already checked), and are stricter: a path must already be normalised, so any {@code .} or {@code ..} segment, {@code //}, a relative
 * path, a backslash or a control character is refused rather than resolved.
 */
public final class LogPaths {
  /** The same default as the core's {@code GuardrailLimits.DEFAULT_TRUNCATION_ALLOW_LIST}. */
  public static final List<String> DEFAULT_ALLOWED = List.of("/var/log/");
  /** The same system directories as the core's {@code GuardrailLimits.FORBIDDEN_PATH_PREFIXES}. */
  public static final List<String> FORBIDDEN = List.of("/bin", "/boot", "/dev", "/etc", "/lib", "/proc", "/root",
      "/sbin", "/sys", "/usr");

  private LogPaths() {}

  /** Why {@code prefix} cannot be an allow-list entry, or empty when it can (the core guardrail's rule). */
  public static Optional<String> problemWithPrefix(String prefix) {
    if (prefix == null || !prefix.startsWith("/") || !prefix.endsWith("/") || prefix.equals("/")) {
      return Optional.of("must be an absolute directory ending in '/' other than '/', but was '" + prefix + "'");
    }
    Optional<String> unclean = prefix.contains("//") ? Optional.of("it holds an empty segment ('//')")
        : unclean(prefix.substring(0, prefix.length() - 1));
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

  /**
   * {@code prefixes} as an executor's allow-list, checked entry by entry ({@link #problemWithPrefix}).
   *
   * @throws IllegalArgumentException naming the bad entry, or when the list is empty
   */
  public static List<String> allowList(List<String> prefixes) {
    java.util.Objects.requireNonNull(prefixes, "prefixes");
    if (prefixes.isEmpty()) {
      throw new IllegalArgumentException("allowedPrefixes must not be empty, but was []");
    }
    for (String p : prefixes) {
      Optional<String> problem = problemWithPrefix(p);
      if (problem.isPresent()) {
        throw new IllegalArgumentException("allowedPrefixes entry " + problem.get());
      }
    }
    return List.copyOf(prefixes);
  }

  /** Why {@code path} may not be truncated under {@code allowed}, or empty when it may. */
  public static Optional<String> refusal(String path, List<String> allowed) {
    if (!path.startsWith("/")) {
      return Optional.of("path '" + path + "' is not absolute: give the log directory as an absolute path under "
          + allowed);
    }
    if (path.contains("//")) {
      return Optional.of("path '" + path + "' is refused: it holds an empty segment ('//'); give the normalised path");
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
   * The shell script truncation runs, the directory given as {@code $1} (never in the script's text, so nothing in
   * the path is expanded): it enters the directory without following symbolic links ({@code cd -P}) and goes on only
   * when the physical directory it reached is the path itself — a symbolic link anywhere in the path (the directory
   * itself, or one of its parents, such as {@code /var/log/evil -> /etc}) is refused with exit status
   * {@value #REFUSED_EXIT} and nothing is emptied, since the kernel would resolve it even where {@code find} follows
   * none; then every regular file below, on that one file system, is printed ({@code ./NAME}) and emptied.
   * {@code find} follows no symbolic link below the directory, {@code -type f} skips links, devices and sockets, and
   * working from {@code .} after the check, a link swapped into the path later changes nothing. Refuses too when
   * {@code /var/log} itself is a link on the host (then nothing under it can be truncated this way).
   */
  public static final String TRUNCATE_SCRIPT = "cd -P -- \"$1\" && [ \"$(pwd -P)\" = \"$1\" ] || { echo \"sre-agent:"
      + " $1 is not a directory reached without symbolic links; nothing emptied\" >&2; exit 3; };"
      + " exec find . -xdev -type f -print -exec truncate -s 0 -- {} +";
  /** The read-only probe of a dry run: {@link #TRUNCATE_SCRIPT}'s checks, then the files it would empty listed. */
  public static final String PROBE_SCRIPT = "cd -P -- \"$1\" && [ \"$(pwd -P)\" = \"$1\" ] || { echo \"sre-agent:"
      + " $1 is not a directory reached without symbolic links; nothing emptied\" >&2; exit 3; };"
      + " exec find . -xdev -type f -print";
  /** The exit status of the scripts when the directory is reached through a symbolic link (or is none). */
  public static final int REFUSED_EXIT = 3;

  /** What truncation runs, without a shell of the caller's: {@code sh -c TRUNCATE_SCRIPT sh PATH}. */
  public static List<String> truncateArgv(String path) {
    return List.of("sh", "-c", TRUNCATE_SCRIPT, "sh", strip(path));
  }

  /** The read-only probe of a dry run: {@code sh -c PROBE_SCRIPT sh PATH}; lists, changes nothing. */
  public static List<String> probeArgv(String path) {
    return List.of("sh", "-c", PROBE_SCRIPT, "sh", strip(path));
  }

  /** The directory the scripts are given for {@code path}: without its trailing '/'. */
  public static String directory(String path) {
    return strip(path);
  }

  /** A line the scripts printed ({@code ./NAME}) as the file's full path under {@code path}. */
  public static String shown(String path, String line) {
    return line.startsWith("./") ? strip(path) + line.substring(1) : line;
  }

  private static String strip(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private static Optional<String> unclean(String p) {
    for (int i = 0; i < p.length(); i = p.offsetByCodePoints(i, 1)) {
      int c = p.codePointAt(i);
      int type = Character.getType(c);
      if (Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE || type == Character.UNASSIGNED) {
        return Optional.of(String.format("it holds a control, format or separator character (U+%04X)", c));
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

package dev.sreagent.api.config;

import java.util.List;

/** A configuration problem found at build time. Lists every problem found, each with the key and the fix. */
public final class ConfigurationException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final List<String> problems;

  /** One exception reporting all {@code problems}. */
  public ConfigurationException(List<String> problems) {
    super(format(problems));
    this.problems = List.copyOf(problems);
  }

  /** One problem. */
  public ConfigurationException(String problem) {
    this(List.of(problem));
  }

  /** The individual problems. */
  public List<String> problems() {
    return problems;
  }

  private static String format(List<String> problems) {
    if (problems.size() == 1) {
      return problems.get(0);
    }
    StringBuilder sb = new StringBuilder(problems.size() + " configuration problems:");
    for (String p : problems) {
      sb.append("\n  - ").append(p);
    }
    return sb.toString();
  }
}

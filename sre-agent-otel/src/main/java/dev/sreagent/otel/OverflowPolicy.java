package dev.sreagent.otel;

/** What the OTLP receiver does with a new metric series when its tenant or service is at the cardinality limit. */
public enum OverflowPolicy {
  /** Drop samples of new series; series already admitted keep their place for ever. */
  DROP_NEW,
  /**
   * Admit the new series in place of the tenant's least recently seen series if that one has been idle longer than
   * the idle timeout (series of pods that are gone make room for their successors); otherwise drop it. The default.
   */
  EVICT_IDLE
}

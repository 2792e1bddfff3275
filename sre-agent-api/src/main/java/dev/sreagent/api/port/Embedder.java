package dev.sreagent.api.port;

/** Turns text into a unit-length vector. */
public interface Embedder {
  /** Vector length. */
  int dimension();

  /** The embedding of {@code text}, L2-normalised, of length {@link #dimension()}. */
  float[] embed(String text);
}

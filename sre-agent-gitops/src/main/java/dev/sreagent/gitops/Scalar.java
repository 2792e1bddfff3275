package dev.sreagent.gitops;

/**
 * A YAML scalar as it stands in a file's text: its value and the characters that hold it (inside the quotes, when
 * quoted), so it can be replaced without touching anything else on the line.
 *
 * @param value the scalar's value
 * @param start offset of its first character in the file's text (after an opening quote), or -1 when the value is not
 *     written literally (a block scalar, escapes, a plain scalar over several lines) and so cannot be edited in place
 * @param end offset just past its last character (before a closing quote)
 * @param line its line, from 1
 * @param quote the quote character, or 0 for a plain scalar
 */
record Scalar(String value, int start, int end, int line, char quote) {
  /** Whether the value stands literally in the text, so it can be replaced in place. */
  boolean editable() {
    return start >= 0;
  }
}

package dev.sreagent.gitops;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The minimal text edit that restores a declaration's healthy value: each scalar whose value differs between the
 * current file and the file at the healthy commit is replaced by the healthy commit's text of it (quotes included, so a
 * quoted {@code "1.2"} comes back quoted); every other character of the file stays as it is (comments, order,
 * indentation, line endings). The result is checked by reading it again: the declaration must now be the healthy one,
 * and only the lines of the replaced scalars may differ.
 */
final class ImageEdit {
  /**
   * One replaced scalar.
   *
   * @param field the field ({@code image}, {@code newTag}, ...)
   * @param line its line, from 1
   * @param before its text before, quotes included
   * @param after its text after
   */
  record Change(String field, int line, String before, String after) {
    String describe() {
      return field + " on line " + line + ": " + before + " -> " + after;
    }
  }

  /**
   * The outcome: the new text and what changed, or why the edit cannot be made.
   *
   * @param text the edited text, or null when refused
   * @param changes the scalars replaced
   * @param changedLines the lines (from 1) that differ
   * @param refusal why no edit is made, or null
   */
  record Result(@Nullable String text, List<Change> changes, List<Integer> changedLines, @Nullable String refusal) {
    static Result refused(String why) {
      return new Result(null, List.of(), List.of(), why);
    }
  }

  private ImageEdit() {}

  /**
   * Edits {@code currentText} (where {@code bad} was found) so that it declares what {@code healthy} declared in
   * {@code healthyText}; {@code target} and {@code healthyImage} serve the check.
   */
  static Result restore(String currentText, Declaration bad, String healthyText, Declaration healthy,
      ImageRollback target, ImageRef healthyImage) {
    if (!bad.fields().keySet().equals(healthy.fields().keySet())) {
      return Result.refused(bad.describe() + " is written with the fields " + new TreeSet<>(bad.fields().keySet())
          + " now but with " + new TreeSet<>(healthy.fields().keySet()) + " at the healthy commit: restoring it would"
          + " add or remove keys, not change values; roll back by hand (git revert) or restore the healthy form first");
    }
    List<Change> changes = new ArrayList<>();
    List<int[]> spans = new ArrayList<>();
    List<String> replacements = new ArrayList<>();
    for (Map.Entry<String, Scalar> e : bad.fields().entrySet()) {
      Scalar now = e.getValue();
      Scalar then = healthy.fields().get(e.getKey());
      if (now.value().equals(Objects.requireNonNull(then).value())) {
        continue;
      }
      if (!now.editable() || !then.editable()) {
        return Result.refused(bad.describe() + ": the " + e.getKey() + " on line " + (now.editable() ? then.line()
            + " at the healthy commit" : now.line()) + " is not written as a plain or quoted one-line scalar (a block"
            + " scalar, escapes or a value over several lines), so it cannot be replaced in place; roll back by hand");
      }
      int[] span = fullSpan(now);
      int[] healthySpan = fullSpan(then);
      String before = currentText.substring(span[0], span[1]);
      String after = healthyText.substring(healthySpan[0], healthySpan[1]);
      spans.add(span);
      replacements.add(after);
      changes.add(new Change(e.getKey(), now.line(), before, after));
    }
    if (changes.isEmpty()) {
      return Result.refused(bad.describe() + " holds the healthy values already");
    }
    StringBuilder out = new StringBuilder(currentText);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < spans.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingInt((Integer i) -> spans.get(i)[0]).reversed());
    for (int i : order) {
      out.replace(spans.get(i)[0], spans.get(i)[1], replacements.get(i));
    }
    String text = out.toString();
    List<Integer> changedLines = changedLines(currentText, text);
    String problem = check(text, bad, healthy, target, healthyImage, changes, changedLines);
    return problem == null ? new Result(text, List.copyOf(changes), changedLines, null)
        : Result.refused("the edit of " + bad.describe() + " failed its own check (" + problem + "); nothing"
            + " committed: roll back by hand");
  }

  private static @Nullable String check(String text, Declaration bad, Declaration healthy, ImageRollback target,
      ImageRef healthyImage, List<Change> changes, List<Integer> changedLines) {
    YamlDeclarations.Scan again = YamlDeclarations.rescan(bad, text, target, healthyImage);
    if (again.problem() != null) {
      return again.problem();
    }
    boolean restored = again.declarations().stream()
        .anyMatch(d -> d.locus().equals(bad.locus()) && d.values().equals(healthy.values()));
    if (!restored) {
      return "read again, " + bad.locus() + " does not hold " + healthy.values();
    }
    TreeSet<Integer> allowed = new TreeSet<>();
    changes.forEach(c -> allowed.add(c.line()));
    if (!allowed.containsAll(changedLines)) {
      return "lines " + changedLines + " changed, only " + allowed + " may";
    }
    return null;
  }

  /** The scalar's characters including its quotes. */
  static int[] fullSpan(Scalar s) {
    int q = s.quote() == 0 ? 0 : 1;
    return new int[] {s.start() - q, s.end() + q};
  }

  /** The lines (from 1) where {@code a} and {@code b} differ, compared line by line. */
  static List<Integer> changedLines(String a, String b) {
    List<String> x = a.lines().toList();
    List<String> y = b.lines().toList();
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
      String l = i < x.size() ? x.get(i) : null;
      String r = i < y.size() ? y.get(i) : null;
      if (!Objects.equals(l, r)) {
        out.add(i + 1);
      }
    }
    return out;
  }
}

package dev.sreagent.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop stays in small stages: no source file of the core is over {@value #MAX_LINES} lines (the stage that grows
 * past it is split, as {@code SreAgent}, {@code Remediator}, {@code SreAgentBuilder} and the audit log were).
 */
class CoreClassSizeTest {
  static final int MAX_LINES = 400;

  /** The files under {@code root} longer than {@value #MAX_LINES} lines, with their length. */
  static List<String> oversized(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(f -> f.toString().endsWith(".java")).map(f -> {
        try {
          return f + " (" + Files.readAllLines(f).size() + " lines)";
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).filter(s -> Integer.parseInt(s.replaceAll(".* \\((\\d+) lines\\)$", "$1")) > MAX_LINES).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void noCoreSourceFileIsOverTheLimit() {
    Path core = Path.of("..", "sre-agent-core", "src", "main", "java");
    assertThat(core).isDirectory();
    assertThat(oversized(core)).as("core files over %d lines: split the stage", MAX_LINES).isEmpty();
  }

  @Test
  void theCheckSeesAnOversizedFile(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("Small.java"), "class Small {}\n".repeat(MAX_LINES));
    Files.writeString(dir.resolve("Big.java"), "// x\n".repeat(MAX_LINES + 1));
    assertThat(oversized(dir)).singleElement().asString().endsWith("Big.java (401 lines)");
  }
}

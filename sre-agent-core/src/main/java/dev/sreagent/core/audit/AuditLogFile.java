package dev.sreagent.core.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link HashChainedAuditLog}'s file as read: its {@code content}, its complete non-empty {@code lines}, and
 * {@code torn}, what follows the last newline: empty in a clean file, otherwise a last line that a crash left
 * half-written, never acknowledged.
 */
record AuditLogFile(String content, List<String> lines, String torn) {
  static AuditLogFile read(Path f) throws IOException {
    String content = Files.readString(f, StandardCharsets.UTF_8);
    List<String> read = new ArrayList<>(List.of(content.split("\n", -1)));
    // the element after the last '\n' is "" for a clean file, or a torn line
    String torn = read.remove(read.size() - 1);
    read.removeIf(String::isEmpty);
    return new AuditLogFile(content, read, torn);
  }

  /** Cuts the torn last line off the file {@code f} this was read from. */
  void dropTorn(Path f) throws IOException {
    Files.writeString(f, content.substring(0, content.length() - torn.length()), StandardCharsets.UTF_8,
        StandardOpenOption.TRUNCATE_EXISTING);
  }
}

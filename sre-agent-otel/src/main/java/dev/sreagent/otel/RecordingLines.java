package dev.sreagent.otel;

import dev.sreagent.otel.OtlpRecording.Item;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The lines of a recording read one at a time, each as the {@link Item}s it holds, in file order: the form told
 * apart by the first line (see {@link OtlpRecording}), a CSV header checked when the file is opened.
 */
final class RecordingLines implements Closeable {
  private final Path input;
  private final BufferedReader reader;
  private final @Nullable List<String> longHeader;
  private final @Nullable List<WideColumn> wideColumns;
  private @Nullable String pending;
  private int line;

  private RecordingLines(Path input, BufferedReader reader, @Nullable List<String> longHeader,
      @Nullable List<WideColumn> wideColumns, @Nullable String pending, int line) {
    this.input = input;
    this.reader = reader;
    this.longHeader = longHeader;
    this.wideColumns = wideColumns;
    this.pending = pending;
    this.line = line;
  }

  /**
   * Opens {@code input} and reads its first line.
   *
   * @throws IOException naming the file (and line 1) when it is not a readable recording
   */
  static RecordingLines open(Path input) throws IOException {
    if (Files.isDirectory(input)) {
      throw new IOException(input + " is a directory; give the recording file itself");
    }
    if (!Files.exists(input)) {
      throw new java.nio.file.NoSuchFileException(input.toString(), null, "no such file; check the path");
    }
    BufferedReader r = Files.newBufferedReader(input, StandardCharsets.UTF_8);
    try {
      String first = r.readLine();
      if (first == null) {
        return new RecordingLines(input, r, null, null, null, 0);
      }
      if (first.startsWith("\uFEFF")) {
        first = first.substring(1); // a byte order mark, as spreadsheets write UTF-8 CSV
      }
      if (first.strip().startsWith("{")) {
        return new RecordingLines(input, r, null, null, first, 0);
      }
      List<String> header = java.util.Arrays.stream(first.strip().split(",", -1)).map(String::strip).toList();
      boolean isLong = header.size() >= 4 && header.subList(0, 4).equals(List.of("timestamp", "service", "metric",
          "value"));
      boolean isWide = !isLong && header.size() >= 2 && header.get(0).equals("timestamp")
          && header.subList(1, header.size()).stream().allMatch(OtlpRecording::wideColumn);
      if (!isLong && !isWide && header.get(0).equals("timestamp")
          && header.subList(1, header.size()).stream().anyMatch(c -> c.indexOf('.') >= 0)) {
        int bad = 1;
        while (OtlpRecording.wideColumn(header.get(bad))) {
          bad++;
        }
        throw new IOException(input + ":1: column " + (bad + 1) + " '" + header.get(bad) + "' of a wide CSV is"
            + " not <service>.<metric> (split on the last dot, neither side empty); rename or remove it");
      }
      if (!isLong && !isWide) {
        throw new IOException(input + ":1: a CSV recording needs the header timestamp,service,metric,value[,attr...]"
            + " (long) or timestamp,<service>.<metric>,... (wide); got '" + first + "' (or give OTLP/JSON lines)");
      }
      for (int k = 1; k < header.size(); k++) {
        int before = header.subList(0, k).indexOf(header.get(k));
        if (before >= 0) { // two series of one name would arrive as one, interleaved
          throw new IOException(input + ":1: column " + (k + 1) + " '" + header.get(k) + "' repeats column "
              + (before + 1) + "; give each column once");
        }
      }
      return isLong ? new RecordingLines(input, r, header, null, null, 1)
          : new RecordingLines(input, r, null, WideColumn.of(header, input + ":1"), null, 1);
    } catch (IOException | RuntimeException e) {
      r.close();
      throw e;
    }
  }

  /** Where the line last read is: {@code file:line}. */
  String where() {
    return input + ":" + line;
  }

  /**
   * The items of the next line that is not blank, or null at the end of the file.
   *
   * @throws IOException naming the file and line when it cannot be read or is not in the recording's form
   */
  @Nullable List<Item> next() throws IOException {
    String l;
    do {
      l = pending != null ? pending : reader.readLine();
      pending = null;
      if (l == null) {
        return null;
      }
      line++;
    } while (l.isBlank());
    if (longHeader != null) {
      return List.of(OtlpRecording.longLine(longHeader, l, where()));
    }
    if (wideColumns != null) {
      return OtlpRecording.wideLine(wideColumns, l, where());
    }
    return List.of(OtlpRecording.jsonLine(l, where()));
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}

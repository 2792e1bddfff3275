package dev.sreagent.core;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.model.Topology.Dependency;
import dev.sreagent.api.port.TopologyProvider;
import dev.sreagent.core.internal.LocatedYaml;
import dev.sreagent.core.internal.LocatedYaml.Mapping;
import dev.sreagent.core.internal.LocatedYaml.Node;
import dev.sreagent.core.internal.LocatedYaml.Scalar;
import dev.sreagent.core.internal.LocatedYaml.Sequence;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A call graph given as data instead of learned: the edges of a file, for recorded or sparse telemetry where no trace
 * spans show who calls whom. Give it to {@link SreAgentBuilder#setTopologyProvider(TopologyProvider)}; the agent adds
 * the edges it learns from spans to it (the loop's topology is the provider's view merged with the learned call
 * graph), so a static graph and live spans work together. The static edges never expire.
 *
 * <p>Two file forms, chosen by the file name's ending:
 * <ul>
 *   <li><b>CSV</b> ({@code .csv}): a header whose first two columns are {@code src,dst} (or {@code from,to}), then one
 *       edge per line, {@code src} calls {@code dst} — the edges files of the RCA datasets
 *       ({@code src,dst,calls,source}). Further columns are allowed and ignored, except {@code calls}, which must be a
 *       whole number {@code >= 0} when given (a declared edge with 0 calls is still an edge). Blank lines and lines
 *       starting with {@code #} are skipped, and a leading byte order mark; cells may be quoted as spreadsheets
 *       write them, but service names must not contain commas. A line repeating the header is refused.
 *   <li><b>YAML</b> ({@code .yaml}, {@code .yml}): {@code edges: [{from: a, to: b}, ...]} (block or flow style);
 *       nothing else is allowed at the top level or in an edge.
 * </ul>
 * Every error names the file (or source), the line and the fix. A self-call ({@code a -> a}) is refused: the root
 * selection follows calls and a self-loop says nothing about them. Duplicate edges are kept once.
 */
public final class StaticTopology implements TopologyProvider {
  private final Set<Dependency> edges;
  private final Topology topology;

  private StaticTopology(Set<Dependency> edges) {
    this.edges = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(edges));
    this.topology = new Topology(Map.of(), edges);
  }

  /**
   * A static graph of {@code edges}.
   *
   * @param edges the call edges, caller to callee; at least one
   * @return the provider
   * @throws IllegalArgumentException when {@code edges} is empty or holds a self-call
   */
  public static StaticTopology of(Collection<Dependency> edges) {
    Objects.requireNonNull(edges, "edges");
    if (edges.isEmpty()) {
      throw new IllegalArgumentException("edges must not be empty: give at least one call edge (from -> to)");
    }
    for (Dependency d : edges) {
      if (d.from().equals(d.to())) {
        throw new IllegalArgumentException("edges must not hold a self-call, but had " + d.from() + " -> " + d.to());
      }
    }
    return new StaticTopology(new LinkedHashSet<>(edges));
  }

  /**
   * Reads {@code file}: CSV when its name ends in {@code .csv}, YAML when it ends in {@code .yaml} or {@code .yml}.
   *
   * @param file the graph file
   * @return the provider
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException when the file's name has another ending, or its content is invalid (the message
   *     names the file, the line and the fix)
   */
  public static StaticTopology read(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!name.endsWith(".csv") && !name.endsWith(".yaml") && !name.endsWith(".yml")) {
      throw new IllegalArgumentException("topology file " + file + " must end in .csv (src,dst header) or .yaml/.yml"
          + " (edges: [{from: a, to: b}]); rename it to say which form it holds");
    }
    if (Files.isDirectory(file)) {
      throw new IOException(file + " is a directory; give the graph file itself (src,dst CSV or edges: YAML)");
    }
    if (!Files.exists(file)) {
      throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such file; check the path (relative"
          + " paths start at the working directory " + Path.of("").toAbsolutePath() + ")");
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    return name.endsWith(".csv") ? parseCsv(text, file.toString()) : parseYaml(text, file.toString());
  }

  /**
   * Parses the CSV form (see the class documentation).
   *
   * @param text the file's content
   * @param source how errors name the input, for example the file name
   * @return the provider
   * @throws IllegalArgumentException naming {@code source}, the line and the fix when the content is invalid
   */
  public static StaticTopology parseCsv(String text, String source) {
    Objects.requireNonNull(text, "text");
    Require.notBlank(source, "source");
    String[] lines = withoutBom(text).split("\r?\n", -1);
    int headerLine = -1;
    for (int i = 0; i < lines.length; i++) {
      if (!skipped(lines[i])) {
        headerLine = i;
        break;
      }
    }
    if (headerLine < 0) {
      throw new IllegalArgumentException(source + ": empty; a topology CSV needs the header src,dst[,calls,...] and"
          + " one line per call edge");
    }
    List<String> header = cells(lines[headerLine], source + ":" + (headerLine + 1));
    if (header.size() < 2 || !(header.get(0).equals("src") && header.get(1).equals("dst")
        || header.get(0).equals("from") && header.get(1).equals("to"))) {
      throw new IllegalArgumentException(source + ":" + (headerLine + 1) + ": the header must start with src,dst (or"
          + " from,to), but was '" + lines[headerLine].strip() + "'; put src,dst first (src calls dst)");
    }
    int callsColumn = header.indexOf("calls");
    Set<Dependency> edges = new LinkedHashSet<>();
    for (int i = headerLine + 1; i < lines.length; i++) {
      if (skipped(lines[i])) {
        continue;
      }
      String where = source + ":" + (i + 1);
      List<String> cells = cells(lines[i], where);
      if (cells.size() != header.size()) {
        throw new IllegalArgumentException(where + ": expected " + header.size() + " cells like the header "
            + header + ", got " + cells.size() + " in '" + lines[i].strip() + "'; service names must not contain"
            + " commas");
      }
      if (callsColumn >= 0 && !cells.get(callsColumn).isEmpty() && !cells.get(callsColumn).matches("\\d+")) {
        throw new IllegalArgumentException(where + ": calls must be a whole number >= 0, but was '"
            + cells.get(callsColumn) + "'; give the number of calls seen, or leave the cell empty");
      }
      if (cells.get(0).equals(header.get(0)) && cells.get(1).equals(header.get(1))) {
        throw new IllegalArgumentException(where + ": repeats the header " + header.get(0) + "," + header.get(1)
            + " (files joined into one?); remove the line, or give the files separately: topology.file ="
            + " a.csv,b.csv (--topology repeated)");
      }
      for (int k = 0; k < 2; k++) {
        if (cells.get(k).indexOf(',') >= 0) {
          throw new IllegalArgumentException(where + ": the service name '" + cells.get(k) + "' holds a comma;"
              + " service names must not contain commas");
        }
      }
      edges.add(edge(cells.get(0), cells.get(1), where));
    }
    if (edges.isEmpty()) {
      throw new IllegalArgumentException(source + ": holds a header but no edges; add one line per call edge"
          + " (src,dst: src calls dst)");
    }
    return new StaticTopology(edges);
  }

  /**
   * Parses the YAML form {@code edges: [{from: a, to: b}, ...]}.
   *
   * @param text the file's content
   * @param source how errors name the input, for example the file name
   * @return the provider
   * @throws IllegalArgumentException naming {@code source}, the line and the fix when the content is invalid
   */
  public static StaticTopology parseYaml(String text, String source) {
    Objects.requireNonNull(text, "text");
    Require.notBlank(source, "source");
    Node root;
    try {
      root = LocatedYaml.parse(withoutBom(text));
    } catch (LocatedYaml.SyntaxError e) {
      throw new IllegalArgumentException(source + ":" + e.line() + ": not valid YAML (" + e.getMessage()
          + "); write edges: [{from: a, to: b}]", e);
    }
    if (!(root instanceof Mapping top) || top.fields().isEmpty()) {
      throw new IllegalArgumentException(source + ":" + root.line() + ": expected a mapping with the key edges;"
          + " write edges: [{from: a, to: b}]");
    }
    for (Map.Entry<String, Integer> k : top.keyLines().entrySet()) {
      if (!k.getKey().equals("edges")) {
        throw new IllegalArgumentException(source + ":" + k.getValue() + ": unknown key '" + k.getKey()
            + "'; the only top-level key is edges");
      }
    }
    if (!(top.fields().get("edges") instanceof Sequence list)) {
      throw new IllegalArgumentException(source + ":" + top.keyLines().get("edges") + ": edges must be a list of"
          + " {from: a, to: b}");
    }
    Set<Dependency> edges = new LinkedHashSet<>();
    for (Node item : list.items()) {
      String where = source + ":" + item.line();
      if (!(item instanceof Mapping m)) {
        throw new IllegalArgumentException(where + ": an edge must be a mapping {from: a, to: b}");
      }
      for (String key : m.fields().keySet()) {
        if (!key.equals("from") && !key.equals("to")) {
          throw new IllegalArgumentException(source + ":" + m.keyLines().get(key) + ": unknown key '" + key
              + "' in an edge; an edge has only from and to");
        }
      }
      edges.add(edge(scalar(m, "from", where), scalar(m, "to", where), where));
    }
    if (edges.isEmpty()) {
      throw new IllegalArgumentException(source + ":" + list.line() + ": edges is empty; add at least one"
          + " {from: a, to: b}");
    }
    return new StaticTopology(edges);
  }

  /**
   * This graph with {@code more}'s edges added (for example a file of the edges another graph does not show: a load
   * balancer and the service behind it).
   *
   * @param more the edges to add
   * @return the union: this graph's edges in order, then {@code more}'s new ones
   */
  public StaticTopology with(StaticTopology more) {
    Objects.requireNonNull(more, "more");
    Set<Dependency> all = new LinkedHashSet<>(edges);
    all.addAll(more.edges);
    return new StaticTopology(all);
  }

  /** The edges, in file order without duplicates. */
  public Set<Dependency> edges() {
    return edges;
  }

  /** The services named by the edges, either end. */
  public Set<String> services() {
    Set<String> out = new LinkedHashSet<>();
    for (Dependency d : edges) {
      out.add(d.from());
      out.add(d.to());
    }
    return out;
  }

  /** The edges as a topology without service details (replicas and revisions are unknown to a graph file). */
  @Override
  public Topology topology() {
    return topology;
  }

  private static String scalar(Mapping m, String key, String where) {
    Node n = m.fields().get(key);
    if (!(n instanceof Scalar s) || s.value() == null || s.value().isBlank()) {
      throw new IllegalArgumentException(where + ": the edge needs " + key + ": <service name>");
    }
    return s.value().strip();
  }

  private static Dependency edge(String from, String to, String where) {
    if (from.isEmpty() || to.isEmpty()) {
      throw new IllegalArgumentException(where + ": both ends of an edge need a service name, but src was '" + from
          + "' and dst '" + to + "'");
    }
    if (from.equals(to)) {
      throw new IllegalArgumentException(where + ": " + from + " calls itself; remove the line (a self-call says"
          + " nothing about which service a failure comes from)");
    }
    return new Dependency(from, to);
  }

  private static boolean skipped(String line) {
    String s = line.strip();
    return s.isEmpty() || s.startsWith("#");
  }

  private static String withoutBom(String text) {
    return text.startsWith("\uFEFF") ? text.substring(1) : text; // a byte order mark, as spreadsheets write UTF-8
  }

  /** The line's cells, stripped; a cell may be quoted as spreadsheets write it ({@code "a,b"}, {@code ""} a quote). */
  private static List<String> cells(String line, String where) {
    List<String> out = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
        } else {
          cell.append(ch);
        }
      } else if (ch == '"' && cell.toString().isBlank() && !wasQuoted) {
        quoted = true;
        wasQuoted = true;
        cell.setLength(0);
      } else if (ch == ',') {
        out.add(cell.toString().strip());
        cell.setLength(0);
        wasQuoted = false;
      } else if (!wasQuoted || !Character.isWhitespace(ch)) {
        if (wasQuoted) {
          throw new IllegalArgumentException(where + ": text after a closing quote in '" + line.strip()
              + "'; quote the whole cell (\"a\"\"b\" for a quote inside)");
        }
        cell.append(ch);
      }
    }
    if (quoted) {
      throw new IllegalArgumentException(where + ": a quote is not closed in '" + line.strip() + "'; close it, or"
          + " write the cell without quotes");
    }
    out.add(cell.toString().strip());
    return out;
  }
}

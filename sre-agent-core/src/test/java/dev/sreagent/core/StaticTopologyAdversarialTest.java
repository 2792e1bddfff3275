package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Topology.Dependency;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Review of the graph files a careless or hostile user gives {@code StaticTopology}. */
class StaticTopologyAdversarialTest {
  private static final List<Dependency> AB_BC = List.of(new Dependency("a", "b"), new Dependency("b", "c"));

  @Test
  void aSpreadsheetCsvWithAByteOrderMarkAndCrlfIsRead(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("g.csv");
    Files.write(file, "\uFEFFsrc,dst,calls\r\na,b,3\r\n\r\n# note\r\nb,c,\r\n".getBytes(StandardCharsets.UTF_8));
    assertThat(StaticTopology.read(file).edges()).containsExactlyElementsOf(AB_BC);

    Path yaml = dir.resolve("g.yaml");
    Files.write(yaml, "\uFEFFedges:\r\n  - {from: a, to: b}\r\n  - {from: b, to: c}\r\n"
        .getBytes(StandardCharsets.UTF_8));
    assertThat(StaticTopology.read(yaml).edges()).containsExactlyElementsOf(AB_BC);
  }

  @Test
  void quotedCellsAreUnquotedNotKeptWithTheirQuotes() {
    assertThat(StaticTopology.parseCsv("\"src\",\"dst\"\n\"a\",\"b\"\n\"b\", \"c\" \n", "g.csv").edges())
        .containsExactlyElementsOf(AB_BC);
    assertThat(StaticTopology.parseCsv("src,dst,source\na,b,\"traces, dependency.csv\"\n", "g.csv").edges())
        .containsExactly(new Dependency("a", "b"));
    assertThatThrownBy(() -> StaticTopology.parseCsv("src,dst\n\"a,x\",b\n", "g.csv"))
        .hasMessageContaining("g.csv:2").hasMessageContaining("'a,x'").hasMessageContaining("comma");
    assertThatThrownBy(() -> StaticTopology.parseCsv("src,dst\n\"a,b\n", "g.csv"))
        .hasMessageContaining("g.csv:2").hasMessageContaining("quote");
  }

  /** {@code cat a.csv b.csv > all.csv}: the second header must not become an edge src -> dst. */
  @Test
  void aRepeatedHeaderIsRefusedNotReadAsAnEdge() {
    assertThatThrownBy(() -> StaticTopology.parseCsv("src,dst\na,b\nsrc,dst\nb,c\n", "all.csv"))
        .hasMessageContaining("all.csv:3").hasMessageContaining("header")
        .hasMessageContaining("topology.file = a.csv,b.csv");
  }

  @Test
  void selfLoopsAreRefusedDuplicatesKeptOnceAndCyclesKept() {
    StaticTopology g = StaticTopology.parseCsv("src,dst\na,b\nb,c\nc,a\na,b\n", "g.csv");
    assertThat(g.edges()).containsExactly(new Dependency("a", "b"), new Dependency("b", "c"),
        new Dependency("c", "a"));
    assertThat(g.topology().reaches("a", "a")).isTrue();
    assertThatThrownBy(() -> StaticTopology.parseYaml("edges: [{from: a, to: b}, {from: b, to: b}]", "g.yaml"))
        .hasMessageContaining("g.yaml:1: b calls itself");
  }

  @Test
  void aMissingFileOrADirectoryIsNamedAsSuch(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("nope.csv");
    assertThatThrownBy(() -> StaticTopology.read(missing)).isInstanceOf(IOException.class)
        .hasMessageContaining(missing.toString()).hasMessageContaining("no such file");
    Path folder = Files.createDirectory(dir.resolve("graphs.csv"));
    assertThatThrownBy(() -> StaticTopology.read(folder)).isInstanceOf(IOException.class)
        .hasMessageContaining(folder.toString()).hasMessageContaining("is a directory");
  }

  @Test
  void yamlOfTheWrongTypesIsNamedByLine() {
    assertThatThrownBy(() -> StaticTopology.parseYaml("edges:\n  - from: [a, b]\n    to: c\n", "g.yaml"))
        .hasMessageContaining("g.yaml:2: the edge needs from: <service name>");
    assertThatThrownBy(() -> StaticTopology.parseYaml("edges: a -> b\n", "g.yaml"))
        .hasMessageContaining("g.yaml:1: edges must be a list");
    assertThatThrownBy(() -> StaticTopology.parseYaml("- {from: a, to: b}\n", "g.yaml"))
        .hasMessageContaining("g.yaml:1: expected a mapping with the key edges");
    assertThatThrownBy(() -> StaticTopology.parseYaml("edges:\n  - {from: a}\n", "g.yaml"))
        .hasMessageContaining("g.yaml:2: the edge needs to: <service name>");
    assertThatThrownBy(() -> StaticTopology.parseYaml("edges:\n  - {from: a, to: ~}\n", "g.yaml"))
        .hasMessageContaining("g.yaml:2: the edge needs to: <service name>");
    // numbers and booleans are names as written
    assertThat(StaticTopology.parseYaml("edges: [{from: 10, to: true}]", "g.yaml").edges())
        .containsExactly(new Dependency("10", "true"));
  }

  /** A key given twice keeps only one value in a YAML parser: the other edge would be lost without a word. */
  @Test
  void aYamlKeyGivenTwiceIsRefusedNotHalfRead() {
    assertThatThrownBy(() -> StaticTopology.parseYaml("edges:\n  - from: a\n    to: b\n    to: c\n", "g.yaml"))
        .hasMessageContaining("g.yaml:4").hasMessageContaining("'to'").hasMessageContaining("twice");
    assertThatThrownBy(() -> StaticTopology.parseYaml("edges: [{from: a, to: b}]\nedges: [{from: b, to: c}]\n",
        "g.yaml")).hasMessageContaining("g.yaml:2").hasMessageContaining("'edges'").hasMessageContaining("twice");
  }

  /** A second document after {@code ---} would otherwise be dropped without a word. */
  @Test
  void aSecondYamlDocumentIsRefusedNotDropped() {
    assertThatThrownBy(() -> StaticTopology.parseYaml("edges: [{from: a, to: b}]\n---\nedges: [{from: b, to: c}]\n",
        "g.yaml")).hasMessageContaining("g.yaml:3").hasMessageContaining("document");
  }

  @Test
  void unicodeAndSpacedNamesAreKeptExactly() {
    StaticTopology g = StaticTopology.parseYaml("edges:\n  - from: \"façade svc\"\n    to: 注文サービス\n"
        + "  - {from: '  padded  ', to: \"b\"}\n", "g.yaml");
    assertThat(g.edges()).containsExactly(new Dependency("façade svc", "注文サービス"), new Dependency("padded", "b"));
    assertThat(StaticTopology.parseCsv("src,dst\nfaçade svc,注文サービス\n", "g.csv").edges())
        .containsExactly(new Dependency("façade svc", "注文サービス"));
  }

  /** 100,000 edges: every one kept in order, each duplicate once; a line number in a late error is exact. */
  @Test
  void aHundredThousandEdgesAreReadWholeAndALateBadLineIsNamed(@TempDir Path dir) throws Exception {
    StringBuilder csv = new StringBuilder("src,dst,calls,source\n");
    for (int i = 0; i < 100_000; i++) {
      csv.append("svc-").append(i).append(",svc-").append(i + 1).append(',').append(i).append(",traces\n");
    }
    Path file = dir.resolve("big.csv");
    Files.writeString(file, csv.toString() + "svc-0,svc-1,1,traces\n");
    StaticTopology g = StaticTopology.read(file);
    assertThat(g.edges()).hasSize(100_000);
    assertThat(g.services()).hasSize(100_001);
    assertThat(g.topology().dependenciesOf("svc-99999")).containsExactly("svc-100000");

    Files.writeString(file, csv.toString() + "svc-x,svc-x,1,traces\n");
    assertThatThrownBy(() -> StaticTopology.read(file)).hasMessageContaining("big.csv:100002: svc-x calls itself");
  }

  /** The YAML form of 100,000 edges (about 4 MB, past the YAML parser's default limit of 3 MB) reads whole too. */
  @Test
  void aHundredThousandEdgesInYamlAreReadWhole() {
    StringBuilder yaml = new StringBuilder("edges:\n");
    for (int i = 0; i < 100_000; i++) {
      yaml.append("  - from: service-").append(i).append("\n    to: service-").append(i + 1).append('\n');
    }
    assertThat(yaml.length()).isGreaterThan(3 << 20);
    StaticTopology g = StaticTopology.parseYaml(yaml.toString(), "big.yaml");
    assertThat(g.edges()).hasSize(100_000).contains(new Dependency("service-99999", "service-100000"));
  }

  /** An alias is not expanded into an edge: refused, named by its line. */
  @Test
  void aYamlAliasIsRefusedNotExpanded() {
    assertThatThrownBy(() -> StaticTopology.parseYaml("edges:\n  - &e {from: a, to: b}\n  - *e\n", "g.yaml"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("g.yaml:3");
  }

  /** Whatever edges are written, and however the file is dressed, the graph is exactly those edges, once each. */
  @Property(tries = 200)
  void theGraphIsTheFilesEdgesHoweverTheFileIsDressed(@ForAll("edgeLists") List<Dependency> edges,
      @ForAll boolean bom, @ForAll boolean crlf, @ForAll boolean quoted, @ForAll boolean yaml) {
    String nl = crlf ? "\r\n" : "\n";
    StringBuilder text = new StringBuilder(bom ? "\uFEFF" : "");
    if (yaml) {
      text.append("# graph").append(nl).append("edges:").append(nl);
      for (Dependency d : edges) {
        text.append("  - from: \"").append(d.from()).append('"').append(nl).append("    to: '").append(d.to())
            .append('\'').append(nl);
      }
    } else {
      text.append("# graph").append(nl).append(nl).append("src,dst,calls").append(nl);
      for (Dependency d : edges) {
        String q = quoted ? "\"" : "";
        text.append(q).append(d.from()).append(q).append(',').append(q).append(d.to()).append(q).append(",1")
            .append(nl).append(nl);
      }
    }
    StaticTopology g = yaml ? StaticTopology.parseYaml(text.toString(), "g.yaml")
        : StaticTopology.parseCsv(text.toString(), "g.csv");
    assertThat(new ArrayList<>(g.edges())).containsExactlyElementsOf(new LinkedHashSet<>(edges));
  }

  @Provide
  Arbitrary<List<Dependency>> edgeLists() {
    Arbitrary<String> names = Arbitraries.of("a", "b", "cart", "façade svc", "注文", "PGSQL Query_remote",
        "www.amazon.com_remote", "PetSearch_AWS::ECS::Fargate", "x-1");
    return names.tuple2().filter(t -> !t.get1().equals(t.get2())).map(t -> new Dependency(t.get1(), t.get2()))
        .list().ofMinSize(1).ofMaxSize(30);
  }
}

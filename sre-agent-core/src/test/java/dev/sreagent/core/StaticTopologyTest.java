package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Topology.Dependency;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticTopologyTest {
  @Test
  void theDatasetsEdgesCsvBecomesTheCallGraph(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("ob.edges.csv");
    Files.writeString(file, "src,dst,calls,source\n"
        + "frontend,checkoutservice,1381,dependency.csv+traces\n"
        + "\n# a comment\n"
        + "checkoutservice,currencyservice,0,dependency.csv\n"
        + "frontend,checkoutservice,12,traces\n");

    StaticTopology graph = StaticTopology.read(file);

    assertThat(graph.edges()).containsExactly(new Dependency("frontend", "checkoutservice"),
        new Dependency("checkoutservice", "currencyservice"));
    assertThat(graph.topology().dependenciesOf("frontend")).containsExactly("checkoutservice");
    assertThat(graph.topology().reaches("frontend", "currencyservice")).isTrue();
    assertThat(graph.topology().reaches("currencyservice", "frontend")).isFalse();
    assertThat(graph.services()).containsExactly("frontend", "checkoutservice", "currencyservice");
  }

  @Test
  void aSecondGraphAddsTheEdgesTheFirstDoesNotShow() {
    StaticTopology graph = StaticTopology.parseCsv("src,dst\nsite,search-lb\nsite,search\n", "g.csv");
    StaticTopology more = StaticTopology.parseCsv("# load balancers\nsrc,dst\nsearch-lb,search\nsite,search\n",
        "lb.csv");

    StaticTopology merged = graph.with(more);

    assertThat(merged.edges()).containsExactly(new Dependency("site", "search-lb"), new Dependency("site", "search"),
        new Dependency("search-lb", "search"));
    assertThat(merged.topology().dependenciesOf("search-lb")).containsExactly("search");
    assertThat(graph.edges()).hasSize(2);
  }

  @Test
  void namesWithDotsColonsAndSpacesAreKeptAsWritten() {
    StaticTopology graph = StaticTopology.parseCsv(
        "from,to\nPetSearch_AWS::ECS::Fargate, PGSQL Query_remote \nPetSite,www.amazon.com_remote\n", "g.csv");

    assertThat(graph.edges()).containsExactly(new Dependency("PetSearch_AWS::ECS::Fargate", "PGSQL Query_remote"),
        new Dependency("PetSite", "www.amazon.com_remote"));
  }

  @Test
  void unknownExtraColumnsAreIgnoredButCallsMustBeAWholeNumber() {
    StaticTopology graph = StaticTopology.parseCsv("src,dst,weight,owner\na,b,0.5,team-x\n", "g.csv");
    assertThat(graph.edges()).containsExactly(new Dependency("a", "b"));

    assertThatThrownBy(() -> StaticTopology.parseCsv("src,dst,calls\na,b,10\nb,c,many\n", "g.csv"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("g.csv:3").hasMessageContaining("calls must be a whole number")
        .hasMessageContaining("many");
  }

  @Test
  void badLinesAreNamedByFileAndLineWithTheFix() {
    assertThatThrownBy(() -> StaticTopology.parseCsv("src,dst\na,b\na,b,c\n", "g.csv"))
        .hasMessageContaining("g.csv:3: expected 2 cells").hasMessageContaining("must not contain commas");
    assertThatThrownBy(() -> StaticTopology.parseCsv("src,dst\na,\n", "g.csv"))
        .hasMessageContaining("g.csv:2: both ends of an edge need a service name");
    assertThatThrownBy(() -> StaticTopology.parseCsv("src,dst\na,a\n", "g.csv"))
        .hasMessageContaining("g.csv:2: a calls itself; remove the line");
    assertThatThrownBy(() -> StaticTopology.parseCsv("caller,callee\na,b\n", "g.csv"))
        .hasMessageContaining("g.csv:1: the header must start with src,dst").hasMessageContaining("caller,callee");
  }

  @Test
  void anEmptyFileOrAHeaderWithoutEdgesIsRefused(@TempDir Path dir) throws Exception {
    Path empty = dir.resolve("empty.csv");
    Files.writeString(empty, "\n\n");
    assertThatThrownBy(() -> StaticTopology.read(empty))
        .hasMessageContaining(empty + ": empty").hasMessageContaining("src,dst");
    assertThatThrownBy(() -> StaticTopology.parseCsv("src,dst,calls\n", "g.csv"))
        .hasMessageContaining("g.csv: holds a header but no edges");
    assertThatThrownBy(() -> StaticTopology.parseYaml("edges: []\n", "g.yaml"))
        .hasMessageContaining("g.yaml:1: edges is empty");
    assertThatThrownBy(() -> StaticTopology.parseYaml("", "g.yaml"))
        .hasMessageContaining("g.yaml:1: expected a mapping with the key edges");
    assertThatThrownBy(() -> StaticTopology.of(List.of())).hasMessageContaining("edges must not be empty");
  }

  @Test
  void theYamlFormInFlowAndBlockStyle(@TempDir Path dir) throws Exception {
    Path flow = dir.resolve("g.yaml");
    Files.writeString(flow, "edges: [{from: frontend, to: cart}, {from: cart, to: redis}]\n");
    Path block = dir.resolve("g.yml");
    Files.writeString(block, "edges:\n  - from: frontend\n    to: cart\n  - from: cart\n    to: redis\n");

    List<Dependency> expected = List.of(new Dependency("frontend", "cart"), new Dependency("cart", "redis"));
    assertThat(StaticTopology.read(flow).edges()).containsExactlyElementsOf(expected);
    assertThat(StaticTopology.read(block).edges()).containsExactlyElementsOf(expected);
  }

  @Test
  void badYamlIsNamedByLine() {
    assertThatThrownBy(() -> StaticTopology.parseYaml("edges:\n  - from: a\n    to: b\n  - from: b\n    too: c\n",
        "g.yaml")).hasMessageContaining("g.yaml:5: unknown key 'too' in an edge; an edge has only from and to");
    assertThatThrownBy(() -> StaticTopology.parseYaml("edges:\n  - from: a\n", "g.yaml"))
        .hasMessageContaining("g.yaml:2: the edge needs to: <service name>");
    assertThatThrownBy(() -> StaticTopology.parseYaml("nodes: [a]\n", "g.yaml"))
        .hasMessageContaining("g.yaml:1: unknown key 'nodes'");
    assertThatThrownBy(() -> StaticTopology.parseYaml("edges: [a, b]\n", "g.yaml"))
        .hasMessageContaining("g.yaml:1: an edge must be a mapping");
    assertThatThrownBy(() -> StaticTopology.parseYaml("edges: [{from: a, to: b}\n", "g.yaml"))
        .hasMessageContaining("g.yaml:").hasMessageContaining("not valid YAML");
  }

  @Test
  void aFileWithAnotherEndingIsRefusedWithTheFormsItCouldBe(@TempDir Path dir) throws Exception {
    Path txt = dir.resolve("g.txt");
    Files.writeString(txt, "src,dst\na,b\n");
    assertThatThrownBy(() -> StaticTopology.read(txt)).hasMessageContaining("must end in .csv")
        .hasMessageContaining(".yaml");
  }
}

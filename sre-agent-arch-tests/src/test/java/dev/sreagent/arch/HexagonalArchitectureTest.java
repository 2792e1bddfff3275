package dev.sreagent.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.sreagent.api.port.Clock;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ADR-001, the hexagonal rule: the API and the domain never import a vendor SDK, and no domain package reaches an
 * adapter package; every package is one or the other. The core never depends on the detect module (its defaults
 * arrive through {@code BuiltInComponents}). Time is a port: no module reads the system clock or sleeps except through
 * {@code Clock} (composition roots and test tooling excepted). No cycles between packages; a module's
 * {@code ..internal..} package is used inside that module only.
 */
class HexagonalArchitectureTest {
  /** Vendor SDKs that only adapter modules may use. */
  static final String[] VENDOR_SDKS = {"io.fabric8..", "software.amazon..", "io.lettuce..", "io.etcd..",
      "java.sql..", "javax.sql..", "ai.onnxruntime..", "ai.djl..", "com.github.jelmerk..", "dev.langchain4j..",
      "org.postgresql..", "com.zaxxer..", "io.grpc..", "io.netty..", "io.vertx..", "org.eclipse.jgit..",
      "org.openqa.selenium..", "io.prometheus..", "io.opentelemetry.proto..", "com.google.protobuf..",
      "org.apache.lucene.."};

  /** Domain packages: the model and the engine. */
  static final String[] DOMAIN = {"dev.sreagent.api..", "dev.sreagent.core..", "dev.sreagent.detect..",
      "dev.sreagent.rag"};  // the rag module's root package; its sub-packages are adapters

  /** Adapter packages: reachable from composition roots (apps, tests), never from the domain. */
  static final String[] ADAPTERS = {"dev.sreagent.k8s..", "dev.sreagent.aws..", "dev.sreagent.rag.onnx..",
      "dev.sreagent.rag.hnsw..", "dev.sreagent.rag.hybrid..", "dev.sreagent.rag.lucene..", "dev.sreagent.otel..",
      "dev.sreagent.llm..", "dev.sreagent.redis..", "dev.sreagent.etcd..", "dev.sreagent.jdbc..",
      "dev.sreagent.chatops..", "dev.sreagent.gitops..", "dev.sreagent.testkit..", "dev.sreagent.standalone..",
      "dev.sreagent.bench.."};

  /** Where real time may be read directly: the loop's scheduler, test tooling and the benchmark runners. */
  static final String[] REAL_TIME_ALLOWED = {"dev.sreagent.core.runtime..", "dev.sreagent.testkit..",
      "dev.sreagent.bench..", "dev.sreagent.standalone.."};

  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.sreagent");
  }

  @Test
  void theApiDependsOnTheJdkAlone() {
    classes().that().resideInAPackage("dev.sreagent.api..")
        .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "org.jspecify..", "dev.sreagent.api..")
        .because("sre-agent-api must compile against the JDK alone (ADR-001)")
        .check(classes);
  }

  @Test
  void theDomainImportsNoVendorSdk() {
    NO_VENDOR_IN_DOMAIN.check(classes);
  }

  @Test
  void theDomainNeverReachesAnAdapter() {
    NO_ADAPTER_FROM_DOMAIN.check(classes);
  }

  @Test
  void jacksonStaysInsideTheCoreImplementation() {
    noClasses().that().resideInAnyPackage("dev.sreagent.api..", "dev.sreagent.detect..", "dev.sreagent.core")
        .should().dependOnClassesThat().resideInAnyPackage("com.fasterxml..")
        .because("Jackson is an implementation detail of the core (internal, audit) and never in a public signature")
        .check(classes);
  }

  static final ArchRule TIME_FROM_THE_CLOCK = noClasses().that().resideInAPackage("dev.sreagent..")
      .and().resideOutsideOfPackages(REAL_TIME_ALLOWED)
      .and().doNotHaveFullyQualifiedName(Clock.class.getName())
      .should().callMethod(System.class, "currentTimeMillis")
      .orShould().callMethod(System.class, "nanoTime")
      .orShould().callMethod(Thread.class, "sleep", long.class)
      .orShould().callMethod(Instant.class, "now")
      .because("time is a port (STYLE habit 6): simulations drive a virtual clock; use Clock.now() and Clock.sleep()");

  static final ArchRule CORE_WITHOUT_DETECT = noClasses().that().resideInAPackage("dev.sreagent.core..")
      .should().dependOnClassesThat().resideInAPackage("dev.sreagent.detect..")
      .because("the core finds the built-in detectors, correlator and call graph through BuiltInComponents; "
          + "sre-agent-detect is an implementation of api ports, not a part of the core");

  static final ArchRule NO_PACKAGE_CYCLES = slices().matching("dev.sreagent.(**)").should().beFreeOfCycles()
      .because("a cycle between packages makes both one unit that cannot be understood or replaced apart");

  static final ArchRule INTERNALS_STAY_HOME = classes().that().resideInAPackage("dev.sreagent..")
      .should(new ArchCondition<JavaClass>("use no other module's ..internal.. package") {
        @Override
        public void check(JavaClass origin, ConditionEvents events) {
          for (Dependency d : origin.getDirectDependenciesFromSelf()) {
            String target = d.getTargetClass().getPackageName();
            int at = target.indexOf(".internal");
            boolean internal = target.startsWith("dev.sreagent.") && at > 0
                && (target.length() == at + 9 || target.charAt(at + 9) == '.');
            if (internal) {
              String owner = target.substring(0, at);
              String from = origin.getPackageName();
              if (!from.equals(owner) && !from.startsWith(owner + ".")) {
                events.add(SimpleConditionEvent.violated(d, d.getDescription()));
              }
            }
          }
        }
      })
      .because("..internal.. packages are implementation details of their module, free to change");

  /** What adapter modules may use of the core: the documented extension points (core's package documentation). */
  static final String[] CORE_EXTENSION_POINTS = {"dev.sreagent.core.SreAgent", "dev.sreagent.core.SreAgentBuilder",
      "dev.sreagent.core.AgentSettings", "dev.sreagent.core.reasoning.EvidenceReasoner",
      "dev.sreagent.core.evidence.EvidenceDigest", "dev.sreagent.core.knowledge.LexicalKnowledgeBase",
      "dev.sreagent.core.knowledge.MarkdownDocuments",
      "dev.sreagent.core.audit.AuditChain", "dev.sreagent.core.audit.AuditKey",
      "dev.sreagent.core.audit.HashChainedAuditLog"};

  /** Adapter modules that plug into the agent (composition roots such as the testkit, bench and samples excluded). */
  static final String[] PLUG_INS = {"dev.sreagent.rag..", "dev.sreagent.llm..", "dev.sreagent.otel..",
      "dev.sreagent.k8s..", "dev.sreagent.aws..", "dev.sreagent.redis..", "dev.sreagent.etcd..",
      "dev.sreagent.jdbc..", "dev.sreagent.chatops..", "dev.sreagent.gitops.."};

  static final ArchRule PLUG_INS_USE_ONLY_CORE_EXTENSION_POINTS = noClasses().that().resideInAnyPackage(PLUG_INS)
      .should().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe(
          "are core classes that are not a documented extension point",
          (JavaClass c) -> c.getPackageName().startsWith("dev.sreagent.core")
              && !java.util.Arrays.asList(CORE_EXTENSION_POINTS).contains(c.getName().replaceAll("\\$.*", ""))))
      .because("adapters build on the api's ports; what they reuse from the core is a deliberate, documented"
          + " extension point (see dev.sreagent.core's package documentation)");

  static final ArchRule EVERY_PACKAGE_CLASSIFIED = classes().that().resideInAPackage("dev.sreagent..")
      .should().resideInAnyPackage(concat(DOMAIN, ADAPTERS))
      .because("a new package must be placed in the domain or among the adapters, so the rules above cover it");

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static final ArchRule NO_VENDOR_IN_DOMAIN = noClasses().that().resideInAnyPackage(DOMAIN)
      .should().dependOnClassesThat().resideInAnyPackage(VENDOR_SDKS)
      .because("vendor SDKs belong in adapter modules (ADR-001)");

  static final ArchRule NO_ADAPTER_FROM_DOMAIN = noClasses().that().resideInAnyPackage(DOMAIN)
      .should().dependOnClassesThat().resideInAnyPackage(ADAPTERS)
      .because("adapters depend on the domain, never the other way round (ADR-001)");

  @Test
  void timeComesFromTheClockPortInEveryModule() {
    TIME_FROM_THE_CLOCK.check(classes);
  }

  @Test
  void theCoreDoesNotDependOnTheDetectModule() {
    CORE_WITHOUT_DETECT.check(classes);
  }

  @Test
  void packagesAreFreeOfCycles() {
    NO_PACKAGE_CYCLES.check(classes);
  }

  @Test
  void internalPackagesAreUsedInsideTheirModuleOnly() {
    INTERNALS_STAY_HOME.check(classes);
  }

  @Test
  void adaptersUseOnlyTheCoresExtensionPoints() {
    PLUG_INS_USE_ONLY_CORE_EXTENSION_POINTS.check(classes);
  }

  @Test
  void everyPackageIsDomainOrAdapter() {
    EVERY_PACKAGE_CLASSIFIED.check(classes);
  }

  /** The rules must be able to fail: fixture classes that break each of them are caught. */
  @Test
  void theRulesCatchViolatingClasses() {
    JavaClasses bad = new ClassFileImporter().importClasses(
        dev.sreagent.core.archfixture.ViolatingDomainClass.class, java.sql.Connection.class,
        dev.sreagent.k8s.archfixture.SomeAdapter.class, dev.sreagent.detect.BuiltInDetectors.class,
        dev.sreagent.core.archfixture.cyclea.A.class, dev.sreagent.core.archfixture.cycleb.B.class,
        dev.sreagent.unlisted.archfixture.Stray.class);
    assertThatThrownBy(() -> TIME_FROM_THE_CLOCK.check(bad)).hasMessageContaining("ViolatingDomainClass.now()")
        .hasMessageContaining("SomeAdapter.readsTheSystemClock()");
    assertThatThrownBy(() -> NO_VENDOR_IN_DOMAIN.check(bad)).hasMessageContaining("java.sql.Connection");
    assertThatThrownBy(() -> NO_ADAPTER_FROM_DOMAIN.check(bad)).hasMessageContaining("SomeAdapter");
    assertThatThrownBy(() -> CORE_WITHOUT_DETECT.check(bad)).hasMessageContaining("BuiltInDetectors");
    assertThatThrownBy(() -> NO_PACKAGE_CYCLES.check(bad)).hasMessageContaining("cyclea")
        .hasMessageContaining("cycleb");
    assertThatThrownBy(() -> INTERNALS_STAY_HOME.check(bad)).hasMessageContaining("core.internal.Json");
    assertThatThrownBy(() -> PLUG_INS_USE_ONLY_CORE_EXTENSION_POINTS.check(bad))
        .hasMessageContaining("core.internal.Json");
    assertThatThrownBy(() -> EVERY_PACKAGE_CLASSIFIED.check(bad)).hasMessageContaining("Stray");
  }

  @Test
  void adaptersDoNotDependOnEachOther() {
    String[] cloud = {"dev.sreagent.k8s..", "dev.sreagent.aws.."};
    noClasses().that().resideInAPackage("dev.sreagent.k8s..")
        .should().dependOnClassesThat().resideInAPackage("dev.sreagent.aws..")
        .check(classes);
    noClasses().that().resideInAPackage("dev.sreagent.aws..")
        .should().dependOnClassesThat().resideInAnyPackage(cloud[0])
        .check(classes);
  }
}

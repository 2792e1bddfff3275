package dev.sreagent.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ADR-001, the hexagonal rule: the API and the domain never import a vendor SDK, and no domain package reaches an
 * adapter package. Time is a port: domain code never reads the system clock or sleeps.
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
      "dev.sreagent.rag"};

  /** Adapter packages: reachable from composition roots (apps, tests), never from the domain. */
  static final String[] ADAPTERS = {"dev.sreagent.k8s..", "dev.sreagent.aws..", "dev.sreagent.rag.onnx..",
      "dev.sreagent.rag.hnsw..", "dev.sreagent.rag.hybrid..", "dev.sreagent.rag.lucene..", "dev.sreagent.rag.onnx..", "dev.sreagent.otel..", "dev.sreagent.llm..", "dev.sreagent.redis..",
      "dev.sreagent.etcd..", "dev.sreagent.jdbc..", "dev.sreagent.chatops..", "dev.sreagent.gitops..",
      "dev.sreagent.testkit..", "dev.sreagent.standalone..", "dev.sreagent.bench.."};

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

  static final ArchRule DOMAIN_TIME = noClasses().that().resideInAnyPackage("dev.sreagent.core..",
          "dev.sreagent.detect..")
      .and().resideOutsideOfPackage("dev.sreagent.core.runtime..")
      .should().callMethod(System.class, "currentTimeMillis")
      .orShould().callMethod(System.class, "nanoTime")
      .orShould().callMethod(Thread.class, "sleep", long.class)
      .orShould().callMethod(Instant.class, "now")
      .because("time is a port: simulations drive a virtual clock (STYLE habit 6)");

  static final ArchRule NO_VENDOR_IN_DOMAIN = noClasses().that().resideInAnyPackage(DOMAIN)
      .should().dependOnClassesThat().resideInAnyPackage(VENDOR_SDKS)
      .because("vendor SDKs belong in adapter modules (ADR-001)");

  static final ArchRule NO_ADAPTER_FROM_DOMAIN = noClasses().that().resideInAnyPackage(DOMAIN)
      .should().dependOnClassesThat().resideInAnyPackage(ADAPTERS)
      .because("adapters depend on the domain, never the other way round (ADR-001)");

  @Test
  void domainTimeComesFromTheClockPort() {
    DOMAIN_TIME.check(classes);
  }

  /** The rules must be able to fail: a domain class that breaks each of them is caught. */
  @Test
  void theRulesCatchAViolatingDomainClass() {
    JavaClasses bad = new ClassFileImporter().importClasses(
        dev.sreagent.core.archfixture.ViolatingDomainClass.class, java.sql.Connection.class,
        dev.sreagent.k8s.archfixture.SomeAdapter.class);
    assertThatThrownBy(() -> DOMAIN_TIME.check(bad)).hasMessageContaining("Instant.now()");
    assertThatThrownBy(() -> NO_VENDOR_IN_DOMAIN.check(bad)).hasMessageContaining("java.sql.Connection");
    assertThatThrownBy(() -> NO_ADAPTER_FROM_DOMAIN.check(bad)).hasMessageContaining("SomeAdapter");
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

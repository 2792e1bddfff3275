package dev.sreagent.bench;

import dev.sreagent.testkit.k8s.KubernetesApiEmulator;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.IntConsumer;

/**
 * A cluster of {@code pods} pods in {@code workloads} workloads, written into a {@link KubernetesApiEmulator}'s store
 * for the {@code k8s-informers} bench; seeded, so every run stores the same objects.
 *
 * <p>Workloads are spread round-robin over the namespaces; every tenth is a StatefulSet (pods {@code NAME-0..}), the
 * rest are Deployments, each with its current ReplicaSet (revision {@value #REVISIONS}, owning the pods) and
 * {@value #REVISIONS} − 1 older ReplicaSets scaled to 0, as a Deployment with some history has. Every third
 * Deployment has an HPA (CPU 70%), two workloads in five a PodDisruptionBudget ({@code minAvailable: 1} or
 * {@code maxUnavailable: 25%}), every workload a ClusterIP Service; one node per 100 pods (at least 3). Pods are
 * spread as evenly as the division allows and look like a real cluster's: an app container with requests, a memory
 * limit, readiness and liveness probes, ports, env and the service-account volume, an Envoy sidecar in every third
 * workload, the five pod conditions, running container statuses with image ids and 0 to 3 restarts, node, pod and
 * host IPs (about 5 KB of JSON per pod).
 */
final class LargeCluster {
  /** The Deployments' current revision; older ones exist down to 1. */
  static final int REVISIONS = 3;
  static final String SERVICE_LABEL = "app.kubernetes.io/name";
  private static final String APP = "app";
  private static final String HASH = "pod-template-hash";
  private static final String REVISION = "deployment.kubernetes.io/revision";
  private static final Instant CREATED = Instant.parse("2026-01-05T09:00:00Z");

  /** One workload as created: where it lives, its pods and (for a Deployment) its current ReplicaSet. */
  record Workload(String namespace, String name, boolean statefulSet, List<String> pods,
      String currentReplicaSet) {}

  /** What was stored, counted by kind. */
  record Counts(int namespaces, int nodes, int deployments, int statefulSets, int replicaSets, int pods, int hpas,
      int pdbs, int services) {
    /** Deployments and StatefulSets. */
    int workloads() {
      return deployments + statefulSets;
    }

    /** The counts by name, in a fixed order (for the table and the JSON). */
    Map<String, Integer> asMap() {
      Map<String, Integer> m = new LinkedHashMap<>();
      m.put("namespaces", namespaces);
      m.put("nodes", nodes);
      m.put("deployments", deployments);
      m.put("statefulSets", statefulSets);
      m.put("replicaSets", replicaSets);
      m.put("pods", pods);
      m.put("hpas", hpas);
      m.put("pdbs", pdbs);
      m.put("services", services);
      return m;
    }
  }

  private final List<String> namespaces;
  private final List<Workload> workloads;
  private final Counts counts;

  private LargeCluster(List<String> namespaces, List<Workload> workloads, Counts counts) {
    this.namespaces = namespaces;
    this.workloads = workloads;
    this.counts = counts;
  }

  /**
   * Stores the cluster in {@code api} straight through its store (no HTTP, no watcher yet), calling {@code progress}
   * with the number of workloads stored so far.
   */
  static LargeCluster create(KubernetesApiEmulator api, int pods, int workloadCount, int namespaceCount,
      IntConsumer progress) {
    if (workloadCount < 1 || pods < workloadCount || namespaceCount < 1 || namespaceCount > workloadCount) {
      throw new IllegalArgumentException("need pods >= workloads >= namespaces >= 1, but was pods " + pods
          + ", workloads " + workloadCount + ", namespaces " + namespaceCount);
    }
    SplittableRandom random = new SplittableRandom(14);
    List<String> namespaces = new ArrayList<>();
    for (int n = 0; n < namespaceCount; n++) {
      String ns = namespaceCount == 1 ? "shop" : String.format(Locale.ROOT, "team-%02d", n);
      namespaces.add(ns);
      api.upsert("/api/v1/namespaces", new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build(),
          o -> o);
    }
    int nodeCount = Math.max(3, (pods + 99) / 100);
    for (int n = 0; n < nodeCount; n++) {
      api.upsert("/api/v1/nodes", node(n), o -> o);
    }
    int deployments = 0;
    int statefulSets = 0;
    int replicaSets = 0;
    int hpas = 0;
    int pdbs = 0;
    int podIndex = 0;
    List<Workload> stored = new ArrayList<>();
    for (int w = 0; w < workloadCount; w++) {
      String ns = namespaces.get(w % namespaceCount);
      String name = String.format(Locale.ROOT, "svc-%04d", w);
      int replicas = pods / workloadCount + (w < pods % workloadCount ? 1 : 0);
      boolean sidecar = w % 3 == 2;
      boolean statefulSet = w % 10 == 4;
      List<String> podNames = new ArrayList<>();
      String currentRs = "";
      if (statefulSet) {
        StatefulSet sts = store(api, apps(ns, "statefulsets"), statefulSet(ns, name, replicas, sidecar));
        for (int i = 0; i < replicas; i++) {
          String pod = name + "-" + i;
          api.upsert(core(ns, "pods"), pod(ns, pod, name, owner(sts), Map.of("controller-revision-hash",
              sts.getStatus().getCurrentRevision(), "statefulset.kubernetes.io/pod-name", pod), sidecar,
              node(podIndex++, nodeCount), random), o -> o);
          podNames.add(pod);
        }
        statefulSets++;
      } else {
        Deployment d = store(api, apps(ns, "deployments"), deployment(ns, name, replicas, sidecar));
        for (int r = 1; r <= REVISIONS; r++) {
          ReplicaSet rs = store(api, apps(ns, "replicasets"), replicaSet(ns, d, r, r == REVISIONS ? replicas : 0,
              sidecar));
          replicaSets++;
          if (r == REVISIONS) {
            currentRs = rs.getMetadata().getName();
            for (int i = 0; i < replicas; i++) {
              String pod = currentRs + "-" + suffix(random);
              api.upsert(core(ns, "pods"), pod(ns, pod, name, owner(rs), Map.of(HASH, hash(name, r)), sidecar,
                  node(podIndex++, nodeCount), random), o -> o);
              podNames.add(pod);
            }
          }
        }
        if (deployments % 3 == 0) {
          api.upsert("/apis/autoscaling/v2/namespaces/" + ns + "/horizontalpodautoscalers", new
              HorizontalPodAutoscalerBuilder().withMetadata(meta(ns, name, name))
              .withNewSpec().withMinReplicas(Math.max(1, replicas / 2)).withMaxReplicas(replicas * 3)
              .withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName(name)
              .endScaleTargetRef().addNewMetric().withType("Resource").withNewResource().withName("cpu")
              .withNewTarget().withType("Utilization").withAverageUtilization(70).endTarget().endResource()
              .endMetric().endSpec().withNewStatus().withCurrentReplicas(replicas).withDesiredReplicas(replicas)
              .endStatus().build(), o -> o);
          hpas++;
        }
        deployments++;
      }
      if (w % 5 == 1 || w % 5 == 3) {
        api.upsert("/apis/policy/v1/namespaces/" + ns + "/poddisruptionbudgets", new PodDisruptionBudgetBuilder()
            .withMetadata(meta(ns, name, name)).withNewSpec()
            .withMinAvailable(w % 5 == 1 ? new IntOrString(1) : null)
            .withMaxUnavailable(w % 5 == 3 ? new IntOrString("25%") : null)
            .withNewSelector().addToMatchLabels(APP, name).endSelector().endSpec().withNewStatus()
            .withCurrentHealthy(replicas).withDesiredHealthy(1).withExpectedPods(replicas)
            .withDisruptionsAllowed(Math.max(0, replicas - 1)).endStatus().build(), o -> o);
        pdbs++;
      }
      api.upsert(core(ns, "services"), new ServiceBuilder().withMetadata(meta(ns, name, name))
          .withNewSpec().withType("ClusterIP").withClusterIP(ip(10, 96, w)).addToSelector(APP, name).addNewPort()
          .withName("http").withPort(80).withNewTargetPort("http").withProtocol("TCP").endPort().endSpec().build(),
          o -> o);
      stored.add(new Workload(ns, name, statefulSet, List.copyOf(podNames), currentRs));
      progress.accept(w + 1);
    }
    return new LargeCluster(List.copyOf(namespaces), List.copyOf(stored), new Counts(namespaceCount, nodeCount,
        deployments, statefulSets, replicaSets, pods, hpas, pdbs, workloadCount));
  }

  /** Stores {@code o} and reads it back: the store assigns the uid (an owner reference needs it). */
  @SuppressWarnings("unchecked")
  private static <T extends HasMetadata> T store(KubernetesApiEmulator api, String collection, T o) {
    api.upsert(collection, o, stored -> stored);
    return api.read(collection + "/" + o.getMetadata().getName(), (Class<T>) o.getClass()).orElseThrow();
  }

  List<String> namespaces() {
    return namespaces;
  }

  List<Workload> workloads() {
    return workloads;
  }

  Counts counts() {
    return counts;
  }

  static String core(String ns, String plural) {
    return "/api/v1/namespaces/" + ns + "/" + plural;
  }

  static String apps(String ns, String plural) {
    return "/apis/apps/v1/namespaces/" + ns + "/" + plural;
  }

  private static String uid(String kind, String ns, String name) {
    return UUID.nameUUIDFromBytes((kind + "/" + ns + "/" + name).getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static ObjectMeta meta(String ns, String name, String service) {
    return new ObjectMetaBuilder().withName(name).withNamespace(ns)
        .withCreationTimestamp(CREATED.toString()).addToLabels(APP, service).addToLabels(SERVICE_LABEL, service)
        .addToLabels("app.kubernetes.io/part-of", "shop").addToLabels("app.kubernetes.io/managed-by", "Helm")
        .withAnnotations(new LinkedHashMap<>()).build();
  }

  private static OwnerReference owner(HasMetadata o) {
    return new OwnerReferenceBuilder().withApiVersion(o.getApiVersion()).withKind(o.getKind())
        .withName(o.getMetadata().getName()).withUid(o.getMetadata().getUid()).withController(true)
        .withBlockOwnerDeletion(true).build();
  }

  private static String hash(String service, int revision) {
    return Integer.toHexString((service + "/" + revision).hashCode() & 0xfffffff);
  }

  private static String suffix(SplittableRandom random) {
    String alphabet = "bcdfghjklmnpqrstvwxz2456789";
    StringBuilder s = new StringBuilder(5);
    for (int i = 0; i < 5; i++) {
      s.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return s.toString();
  }

  private static String node(int podIndex, int nodes) {
    return String.format(Locale.ROOT, "node-%03d", podIndex % nodes);
  }

  private static String ip(int a, int b, int n) {
    return a + "." + b + "." + (n / 250 % 250) + "." + (n % 250 + 2);
  }

  private static String image(String service, int revision) {
    return "registry.local/shop/" + service + ":1." + revision + ".0";
  }

  private static Node node(int n) {
    String name = String.format(Locale.ROOT, "node-%03d", n);
    return new NodeBuilder().withNewMetadata().withName(name)
        .addToLabels("kubernetes.io/hostname", name).addToLabels("kubernetes.io/os", "linux")
        .addToLabels("topology.kubernetes.io/zone", "zone-" + (char) ('a' + n % 3))
        .addToLabels("node.kubernetes.io/instance-type", "m6i.4xlarge").endMetadata()
        .withNewSpec().withPodCIDR("10.244." + n + ".0/24").endSpec()
        .withNewStatus().addToCapacity("cpu", new Quantity("16")).addToCapacity("memory", new Quantity("64Gi"))
        .addToCapacity("pods", new Quantity("110")).addToAllocatable("cpu", new Quantity("15890m"))
        .addToAllocatable("memory", new Quantity("62Gi")).addToAllocatable("pods", new Quantity("110"))
        .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady")
        .withLastTransitionTime(CREATED.toString()).endCondition()
        .addNewCondition().withType("MemoryPressure").withStatus("False").withReason("KubeletHasSufficientMemory")
        .withLastTransitionTime(CREATED.toString()).endCondition()
        .addNewAddress().withType("InternalIP").withAddress(ip(10, 0, n)).endAddress()
        .withNewNodeInfo().withKubeletVersion("v1.31.4").withContainerRuntimeVersion("containerd://1.7.24")
        .withOsImage("Bottlerocket OS 1.29.0").withArchitecture("amd64").withOperatingSystem("linux").endNodeInfo()
        .endStatus().build();
  }

  private static List<Container> containers(String service, int revision, boolean sidecar) {
    List<Container> out = new ArrayList<>();
    out.add(new ContainerBuilder().withName(service).withImage(image(service, revision))
        .withImagePullPolicy("IfNotPresent")
        .addNewPort().withName("http").withContainerPort(8080).withProtocol("TCP").endPort()
        .addNewPort().withName("metrics").withContainerPort(9090).withProtocol("TCP").endPort()
        .addNewEnv().withName("SERVICE_NAME").withValue(service).endEnv()
        .addNewEnv().withName("OTEL_EXPORTER_OTLP_ENDPOINT").withValue("http://otel-collector:4318").endEnv()
        .addNewEnv().withName("JAVA_TOOL_OPTIONS").withValue("-XX:MaxRAMPercentage=75").endEnv()
        .withNewResources().addToRequests("cpu", new Quantity("250m")).addToRequests("memory", new Quantity("384Mi"))
        .addToLimits("memory", new Quantity("512Mi")).endResources()
        .withNewReadinessProbe().withNewHttpGet().withPath("/ready").withNewPort("http").endHttpGet()
        .withPeriodSeconds(5).withFailureThreshold(3).endReadinessProbe()
        .withNewLivenessProbe().withNewHttpGet().withPath("/healthz").withNewPort("http").endHttpGet()
        .withInitialDelaySeconds(20).withPeriodSeconds(10).endLivenessProbe()
        .addNewVolumeMount().withName("kube-api-access").withMountPath("/var/run/secrets/kubernetes.io/serviceaccount")
        .withReadOnly(true).endVolumeMount()
        .withTerminationMessagePath("/dev/termination-log").withTerminationMessagePolicy("File").build());
    if (sidecar) {
      out.add(new ContainerBuilder().withName("envoy").withImage("envoyproxy/envoy:v1.32.3")
          .withImagePullPolicy("IfNotPresent").addNewPort().withName("envoy-admin").withContainerPort(9901).endPort()
          .withNewResources().addToRequests("cpu", new Quantity("50m")).addToRequests("memory", new Quantity("64Mi"))
          .addToLimits("memory", new Quantity("128Mi")).endResources()
          .withTerminationMessagePath("/dev/termination-log").withTerminationMessagePolicy("File").build());
    }
    return out;
  }

  private static PodSpec podSpec(String service, int revision, boolean sidecar) {
    return new PodSpecBuilder().withContainers(containers(service, revision, sidecar))
        .withServiceAccountName("default").withRestartPolicy("Always").withTerminationGracePeriodSeconds(30L)
        .withDnsPolicy("ClusterFirst").withSchedulerName("default-scheduler").withPriority(0)
        .withEnableServiceLinks(true).withPreemptionPolicy("PreemptLowerPriority")
        .addNewVolume().withName("kube-api-access").withNewProjected().withDefaultMode(420)
        .addNewSource().withNewServiceAccountToken().withPath("token").withExpirationSeconds(3607L)
        .endServiceAccountToken().endSource()
        .addNewSource().withNewConfigMap().withName("kube-root-ca.crt").addNewItem().withKey("ca.crt")
        .withPath("ca.crt").endItem().endConfigMap().endSource().endProjected().endVolume()
        .addNewToleration().withKey("node.kubernetes.io/not-ready").withOperator("Exists").withEffect("NoExecute")
        .withTolerationSeconds(300L).endToleration()
        .addNewToleration().withKey("node.kubernetes.io/unreachable").withOperator("Exists").withEffect("NoExecute")
        .withTolerationSeconds(300L).endToleration().build();
  }

  private static PodTemplateSpec template(String service, int revision, boolean sidecar,
      Map<String, String> extraLabels) {
    return new PodTemplateSpecBuilder().withNewMetadata().addToLabels(APP, service).addToLabels(SERVICE_LABEL, service)
        .addToLabels(extraLabels).addToAnnotations("prometheus.io/scrape", "true")
        .addToAnnotations("prometheus.io/port", "9090").endMetadata()
        .withSpec(podSpec(service, revision, sidecar)).build();
  }

  private static Deployment deployment(String ns, String name, int replicas, boolean sidecar) {
    ObjectMeta m = meta(ns, name, name);
    m.getAnnotations().put(REVISION, Integer.toString(REVISIONS));
    return new DeploymentBuilder().withMetadata(m).withNewSpec().withReplicas(replicas).withRevisionHistoryLimit(10)
        .withProgressDeadlineSeconds(600).withNewSelector().addToMatchLabels(APP, name).endSelector()
        .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate().withNewMaxSurge("25%")
        .withNewMaxUnavailable("25%").endRollingUpdate().endStrategy()
        .withTemplate(template(name, REVISIONS, sidecar, Map.of())).endSpec()
        .withNewStatus().withObservedGeneration((long) REVISIONS).withReplicas(replicas).withReadyReplicas(replicas)
        .withAvailableReplicas(replicas).withUpdatedReplicas(replicas)
        .addNewCondition().withType("Available").withStatus("True").withReason("MinimumReplicasAvailable")
        .withLastTransitionTime(CREATED.toString()).endCondition()
        .addNewCondition().withType("Progressing").withStatus("True").withReason("NewReplicaSetAvailable")
        .withLastTransitionTime(CREATED.toString()).endCondition().endStatus().build();
  }

  private static ReplicaSet replicaSet(String ns, Deployment d, int revision, int replicas, boolean sidecar) {
    String service = d.getMetadata().getName();
    String hash = hash(service, revision);
    String name = service + "-" + hash;
    ObjectMeta m = meta(ns, name, service);
    m.getLabels().put(HASH, hash);
    m.getAnnotations().put(REVISION, Integer.toString(revision));
    m.getAnnotations().put("deployment.kubernetes.io/desired-replicas", Integer.toString(replicas));
    m.setCreationTimestamp(CREATED.minusSeconds(86_400L * (REVISIONS - revision)).toString());
    m.setOwnerReferences(List.of(owner(d)));
    return new ReplicaSetBuilder().withMetadata(m).withNewSpec().withReplicas(replicas).withNewSelector()
        .addToMatchLabels(APP, service).addToMatchLabels(HASH, hash).endSelector()
        .withTemplate(template(service, revision, sidecar, Map.of(HASH, hash))).endSpec()
        .withNewStatus().withObservedGeneration(1L).withReplicas(replicas).withReadyReplicas(replicas)
        .withAvailableReplicas(replicas).withFullyLabeledReplicas(replicas).endStatus().build();
  }

  private static StatefulSet statefulSet(String ns, String name, int replicas, boolean sidecar) {
    String revision = name + "-" + hash(name, REVISIONS);
    return new StatefulSetBuilder().withMetadata(meta(ns, name, name)).withNewSpec()
        .withReplicas(replicas).withServiceName(name).withPodManagementPolicy("OrderedReady")
        .withNewSelector().addToMatchLabels(APP, name).endSelector()
        .withTemplate(template(name, REVISIONS, sidecar, Map.of()))
        .addNewVolumeClaimTemplate().withNewMetadata().withName("data").endMetadata().withNewSpec()
        .withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("10Gi"))
        .endResources().endSpec().endVolumeClaimTemplate().endSpec()
        .withNewStatus().withObservedGeneration(1L).withReplicas(replicas).withReadyReplicas(replicas)
        .withAvailableReplicas(replicas).withCurrentReplicas(replicas).withUpdatedReplicas(replicas)
        .withCurrentRevision(revision).withUpdateRevision(revision).endStatus().build();
  }

  private static Pod pod(String ns, String name, String service, OwnerReference owner, Map<String, String> labels,
      boolean sidecar, String node, SplittableRandom random) {
    ObjectMeta m = meta(ns, name, service);
    m.getLabels().putAll(labels);
    m.setOwnerReferences(List.of(owner));
    m.setGenerateName(owner.getName() + "-");
    m.setAnnotations(new LinkedHashMap<>(Map.of("prometheus.io/scrape", "true", "prometheus.io/port", "9090")));
    String started = CREATED.plusSeconds(random.nextInt(3600)).toString();
    List<ContainerStatus> statuses = new ArrayList<>();
    for (Container c : containers(service, REVISIONS, sidecar)) {
      statuses.add(new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage())
          .withImageID(c.getImage() + "@sha256:" + uid("Image", "", c.getImage()).replace("-", ""))
          .withContainerID("containerd://" + uid("Container", ns, name + "/" + c.getName()).replace("-", ""))
          .withReady(true).withStarted(true).withRestartCount(random.nextInt(4))
          .withNewState().withNewRunning().withStartedAt(started).endRunning().endState().build());
    }
    List<PodCondition> conditions = new ArrayList<>();
    for (String type : List.of("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
        "PodScheduled")) {
      conditions.add(new PodConditionBuilder().withType(type).withStatus("True").withLastTransitionTime(started)
          .build());
    }
    String podIp = ip(10, 244, random.nextInt(60_000));
    return new PodBuilder().withMetadata(m).withSpec(podSpec(service, REVISIONS, sidecar)).editSpec()
        .withNodeName(node).endSpec()
        .withNewStatus().withPhase("Running").withConditions(conditions).withHostIP(ip(10, 0, node.hashCode() & 0xff))
        .withPodIP(podIp).addNewPodIP(podIp).withStartTime(started).withQosClass("Burstable")
        .withContainerStatuses(statuses).endStatus().build();
  }
}

package dev.sreagent.api.model;

/** Resource attribute keys the SDK understands (OpenTelemetry semantic conventions where one exists). */
public final class Attributes {
  /** The service the telemetry belongs to. */
  public static final String SERVICE_NAME = "service.name";
  /**
   * The service called, on a client-side metric of a call edge ({@code service.name} calls {@code peer.service};
   * OpenTelemetry's {@code peer.service}).
   */
  public static final String PEER_SERVICE = "peer.service";
  /** The Kubernetes namespace. */
  public static final String K8S_NAMESPACE = "k8s.namespace.name";
  /** The Kubernetes pod. */
  public static final String K8S_POD_NAME = "k8s.pod.name";
  /** The host or node name. */
  public static final String HOST_NAME = "host.name";
  /** A file system mount point or directory. */
  public static final String FILESYSTEM_PATH = "system.filesystem.mountpoint";
  /** The name of a TLS certificate. */
  public static final String TLS_CERTIFICATE = "tls.certificate.name";
  /** The service name used when telemetry carries none. */
  public static final String UNKNOWN_SERVICE = "unknown_service";

  private Attributes() {}
}

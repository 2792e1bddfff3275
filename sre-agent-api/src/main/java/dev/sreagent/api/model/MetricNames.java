package dev.sreagent.api.model;

/**
 * Metric names the built-in detectors read. Adapters map their sources onto these names
 * (for example the OTLP receiver derives {@link #LATENCY_P99} from {@code http.server.request.duration}).
 */
public final class MetricNames {
  /** Container memory working set as a fraction of its limit, in [0, 1]; per pod. */
  public static final String MEMORY_UTILIZATION = "container.memory.utilization";
  /** CPU use as a fraction of the container's limit (or of the host's cores), in [0, 1]; per pod or host. */
  public static final String CPU_UTILIZATION = "container.cpu.utilization";
  /** 99th percentile server latency in seconds; per service. */
  public static final String LATENCY_P99 = "http.server.request.duration.p99";
  /**
   * Median client-side latency of calls in seconds, per call edge: the caller is {@code service.name}, the callee
   * {@link Attributes#PEER_SERVICE} (OpenTelemetry {@code http.client.request.duration} / {@code rpc.client.duration}
   * seen from the caller). Without a peer it is the caller's latency to all its callees together.
   */
  public static final String CLIENT_LATENCY_P50 = "http.client.request.duration.p50";
  /** 99th percentile client-side latency in seconds; per call edge like {@link #CLIENT_LATENCY_P50}. */
  public static final String CLIENT_LATENCY_P99 = "http.client.request.duration.p99";
  /** Fraction of server requests that failed, in [0, 1]; per service. */
  public static final String ERROR_RATIO = "http.server.request.error_ratio";
  /** Server requests per second; per service. */
  public static final String REQUEST_RATE = "http.server.request.rate";
  /** Used fraction of a file system, in [0, 1]; per host and mount point. */
  public static final String DISK_UTILIZATION = "system.filesystem.utilization";
  /** Seconds until a TLS certificate expires; per certificate. */
  public static final String CERTIFICATE_TIME_TO_EXPIRY = "tls.certificate.time_to_expiry";

  private MetricNames() {}
}

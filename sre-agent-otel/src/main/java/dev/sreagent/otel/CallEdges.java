package dev.sreagent.otel;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Signal;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The call edges of one resource (the caller) in one export: its client duration histogram points grouped by the
 * peer they call, each peer's interval becoming {@link MetricNames#CLIENT_LATENCY_P50} and
 * {@link MetricNames#CLIENT_LATENCY_P99} samples of the caller with {@link Attributes#PEER_SERVICE} naming the peer
 * (and no other attribute, so that one edge is one series whatever the route, method or status).
 *
 * <p>The peer is the point's {@code peer.service}, else its {@code server.address} taken as it is when it is a host
 * name (to name the callee as the call graph does, set {@code peer.service}, e.g. with the Collector's transform
 * processor); an IP address names a pod or a node, not a service — it changes with every reschedule, no topology or
 * owner knows it, and the call-edge latency detector would page on it — so a point with only an address, or with
 * neither, is not an edge and is counted as {@link Rejections#NO_PEER}. A resource that
 * reports one peer in two families (an instrumentation emitting old and new conventions) gives that edge from the
 * most specific family only, as the server path does per service. Not thread-safe.
 */
final class CallEdges {
  /** The attribute naming the callee as the caller sees it. */
  static final String PEER_SERVICE = Attributes.PEER_SERVICE;
  /** The fallback: the host the client connected to. */
  static final String SERVER_ADDRESS = "server.address";

  private final Map<String, EnumMap<OtlpMapper.Family, HistogramWindow>> byPeer = new TreeMap<>();

  /** The peer a client point calls, or null when it names none. */
  static @Nullable String peerOf(Map<String, String> pointAttributes) {
    String service = pointAttributes.getOrDefault(PEER_SERVICE, "").strip();
    if (!service.isEmpty()) {
      return service;
    }
    String address = pointAttributes.getOrDefault(SERVER_ADDRESS, "").strip();
    return address.isEmpty() || isIpAddress(address) ? null : address;
  }

  /** Whether {@code host} is an IPv4 or IPv6 literal (with or without brackets), not a name. */
  static boolean isIpAddress(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (IPV4.matcher(h).matches()) {
      return true;
    }
    return h.indexOf(':') >= 0 && IPV6.matcher(h).matches();
  }

  private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile(
      "\\d{1,3}(\\.\\d{1,3}){3}");
  private static final java.util.regex.Pattern IPV6 = java.util.regex.Pattern.compile(
      "[0-9A-Fa-f:.]+(%[\\w.-]+)?");

  /**
   * The window a client point of {@code family} merges into, or null (counted as {@link Rejections#NO_PEER}) when the
   * point names no peer.
   */
  @Nullable HistogramWindow window(OtlpMapper.Family family, Map<String, String> pointAttributes,
      Rejections rejected) {
    String peer = peerOf(pointAttributes);
    if (peer == null) {
      rejected.add(Rejections.NO_PEER);
      return null;
    }
    return byPeer.computeIfAbsent(peer, k -> new EnumMap<>(OtlpMapper.Family.class))
        .computeIfAbsent(family, k -> new HistogramWindow());
  }

  /** Emits the p50 and p99 of every edge that saw calls in this export, as samples of {@code caller}. */
  void emit(String caller, List<Signal> out) {
    byPeer.forEach((peer, families) -> {
      for (HistogramWindow w : families.values()) {
        if (w.count > 0) {
          Instant at = Instant.ofEpochSecond(0, w.end);
          Map<String, String> attrs = Map.of(Attributes.SERVICE_NAME, caller, Attributes.PEER_SERVICE, peer);
          out.add(new MetricSample(MetricNames.CLIENT_LATENCY_P50, w.quantile(HistogramWindow.P50), at, attrs));
          out.add(new MetricSample(MetricNames.CLIENT_LATENCY_P99, w.quantile(HistogramWindow.P99), at, attrs));
          break; // the most specific family only
        }
      }
    });
  }
}

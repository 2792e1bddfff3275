package dev.sreagent.etcd;

import io.etcd.jetcd.Client;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;

/**
 * What {@link EtcdLockService} and {@link EtcdMembership} share about talking to etcd: the client they build from
 * endpoints, one request awaited within the request timeout (a failure named with the endpoints and the fix), and a
 * lease revoked without failing.
 */
final class EtcdRequests {
  private final String endpoints;
  private final Duration requestTimeout;
  private final String builderName;

  /**
   * @param endpoints the endpoints, as named in messages
   * @param builderName the public builder to name in the fix, such as {@code EtcdLockService.builder(...)}
   */
  EtcdRequests(String endpoints, Duration requestTimeout, String builderName) {
    this.endpoints = endpoints;
    this.requestTimeout = requestTimeout;
    this.builderName = builderName;
  }

  /** A client of {@code endpoints} whose retries fit in one request timeout, so an unreachable etcd is named in time. */
  static Client client(List<String> endpoints, Duration requestTimeout) {
    return Client.builder()
        .endpoints(endpoints.stream().map(URI::create).toArray(URI[]::new))
        .connectTimeout(requestTimeout)
        .retryDelay(50)
        .retryMaxDelay(Math.max(100, requestTimeout.toMillis() / 4))
        .retryChronoUnit(java.time.temporal.ChronoUnit.MILLIS)
        .retryMaxDuration(requestTimeout)
        .waitForReady(false)
        .build();
  }

  /** The answer to {@code call} within the request timeout; else an {@link IllegalStateException} naming {@code what}. */
  <T> T await(CompletableFuture<T> call, String what) {
    try {
      return call.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw unavailable(what, "no answer within " + requestTimeout.toMillis() + " ms", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw unavailable(what, cause.toString(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for etcd to " + what, e);
    }
  }

  /** Revokes lease {@code id}; a failure is logged at debug on {@code log} (the lease runs out by itself). */
  void revokeQuietly(Client client, long id, Logger log) {
    try {
      await(client.getLeaseClient().revoke(id), "revoke lease " + Long.toHexString(id));
    } catch (RuntimeException e) {
      log.debug("lease {} not revoked (it runs out by itself): {}", Long.toHexString(id), e.getMessage());
    }
  }

  private IllegalStateException unavailable(String what, String why, Throwable cause) {
    return new IllegalStateException("etcd at " + endpoints + " could not " + what + ": " + why + ". Is etcd running"
        + " and is this its client URL (--advertise-client-urls)? Set the endpoints with " + builderName + ".",
        cause);
  }
}

package dev.sreagent.k8s;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.http.WebSocketHandshakeException;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One command in one container through {@code pods/exec} (a websocket, {@code v4.channel.k8s.io}): a fixed argument
 * vector (never a shell string), no stdin, no TTY; stdout and stderr are kept up to {@link #KEPT_BYTES} each; the exit
 * status is read from the exec status channel (channel 3: {@code Success}, or {@code NonZeroExitCode} with the code
 * in its {@code ExitCode} cause, or another failure with its message).
 *
 * <p>The websocket is opened on the client's own HTTP client (its authentication and TLS), not through fabric8's
 * {@code PodResource.exec}: that one first waits for the pod to be ready with a LIST and a WATCH of the pod on every
 * call (even with no ready-wait timeout set), which costs two API calls per exec, and whose immediately closed watch
 * can stall fabric8's mock API server for up to a minute (its watch listener waits for its sender on the event loop),
 * which made the exec tests flaky. Exec needs only a running container, not a ready pod.
 */
final class PodExec {
  /** How much of stdout and of stderr is kept (the rest is counted, not stored). */
  static final int KEPT_BYTES = 16 * 1024;
  /** The channel protocol: one byte of channel number (1 stdout, 2 stderr, 3 status) before each message. */
  static final String PROTOCOL = "v4.channel.k8s.io";

  /**
   * What a command did.
   *
   * @param exitCode the exit code; -1 when the status channel reported a failure that is not an exit code
   * @param stdout the first {@link #KEPT_BYTES} of stdout
   * @param stderr the first {@link #KEPT_BYTES} of stderr
   * @param failure the status channel's message when the command did not run or did not exit 0, else empty
   * @param timedOut whether no exit status came within the timeout (the command may still be running)
   * @param known whether it is known what the command did: an exit status came, or the API server refused the exec
   *     (nothing ran); false when the command may or may not have run (no status within the timeout, the stream
   *     closed or broke without one, the upgrade got no answer)
   */
  record Outcome(int exitCode, String stdout, String stderr, String failure, boolean timedOut, boolean known) {
    boolean ok() {
      return !timedOut && exitCode == 0;
    }

    /** "exit code 1, stderr: '...'" (or the timeout, or the status channel's message). */
    String describe(Duration timeout) {
      if (timedOut) {
        return "no exit status within " + timeout.toMillis() + " ms (the command may still be running in the"
            + " container; stderr so far: '" + stderr.strip() + "')";
      }
      return (exitCode >= 0 ? "exit code " + exitCode : "exec failed") + ", stderr: '" + stderr.strip() + "'"
          + (failure.isBlank() ? "" : ", status: '" + failure.strip() + "'");
    }
  }

  private PodExec() {}

  /** Runs {@code argv} in {@code container} of pod {@code namespace/pod}, waiting at most {@code timeout}. */
  static Outcome run(KubernetesClient client, String namespace, String pod, String container, List<String> argv,
      Duration timeout) {
    Bounded out = new Bounded();
    Bounded err = new Bounded();
    Channels channels = new Channels(client, out, err);
    CompletableFuture<WebSocket> open = client.getHttpClient().newWebSocketBuilder().subprotocol(PROTOCOL)
        .uri(uri(client, namespace, pod, container, argv))
        .connectTimeout(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS).buildAsync(channels);
    WebSocket socket = null;
    try {
      socket = open.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Status s = channels.status.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (s == null) {  // the socket closed without a status: nothing says the command ran to its end
        return new Outcome(-1, out.text(), err.text(), "the exec stream closed without an exit status", false,
            false);
      }
      if ("Success".equals(s.getStatus())) {
        return new Outcome(0, out.text(), err.text(), "", false, true);
      }
      return new Outcome(exitCode(s), out.text(), err.text(), String.valueOf(s.getMessage()), false, true);
    } catch (TimeoutException e) {
      return new Outcome(-1, out.text(), err.text(), "", true, false);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      boolean refused = socket == null && refusalCode(cause) > 0;  // else the upgrade may have reached the kubelet
      return new Outcome(-1, out.text(), err.text(), socket == null ? refusal(cause, namespace)
          : "exec failed: " + cause.getMessage(), false, refused);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(-1, out.text(), err.text(), "interrupted while waiting for the exit status", false, false);
    } finally {
      if (socket != null) {
        socket.sendClose(1000, "");
      } else {
        open.thenAccept(late -> late.sendClose(1000, ""));  // opened after we gave up: close it
      }
    }
  }

  /** {@code <master>/api/v1/namespaces/NS/pods/POD/exec?command=..&container=..&stdout=true&stderr=true}. */
  private static URI uri(KubernetesClient client, String namespace, String pod, String container, List<String> argv) {
    String base = client.getMasterUrl().toString();
    StringBuilder u = new StringBuilder(base.endsWith("/") ? base : base + "/").append("api/v1/namespaces/")
        .append(encode(namespace)).append("/pods/").append(encode(pod)).append("/exec?");
    for (String a : argv) {
      u.append("command=").append(encode(a)).append('&');
    }
    return URI.create(u.append("container=").append(encode(container)).append("&stdout=true&stderr=true")
        .toString());
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The exit code in a {@code NonZeroExitCode} status's {@code ExitCode} cause, else -1. */
  private static int exitCode(Status s) {
    if (!"NonZeroExitCode".equals(s.getReason()) || s.getDetails() == null || s.getDetails().getCauses() == null) {
      return -1;
    }
    for (StatusCause c : s.getDetails().getCauses()) {
      if ("ExitCode".equals(c.getReason())) {
        try {
          return Integer.parseInt(c.getMessage().strip());
        } catch (RuntimeException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  /** Demultiplexes the channels; {@link #status} completes with the status (or null when closed without one). */
  private static final class Channels implements WebSocket.Listener {
    final CompletableFuture<Status> status = new CompletableFuture<>();
    private final KubernetesClient client;
    private final Bounded out;
    private final Bounded err;

    Channels(KubernetesClient client, Bounded out, Bounded err) {
      this.client = client;
      this.out = out;
      this.err = err;
    }

    @Override
    public void onOpen(WebSocket ws) {
      ws.request();
    }

    @Override
    public void onMessage(WebSocket ws, ByteBuffer bytes) {
      if (bytes.hasRemaining()) {
        int channel = bytes.get();
        byte[] rest = new byte[bytes.remaining()];
        bytes.get(rest);
        if (channel == 1) {
          out.write(rest, 0, rest.length);
        } else if (channel == 2) {
          err.write(rest, 0, rest.length);
        } else if (channel == 3 && rest.length > 0) {
          try {
            status.complete(client.getKubernetesSerialization().unmarshal(new String(rest, StandardCharsets.UTF_8),
                Status.class));
          } catch (RuntimeException e) {
            status.completeExceptionally(new IllegalStateException("unreadable exec status: "
                + new String(rest, StandardCharsets.UTF_8), e));
          }
        }
      }
      ws.request();
    }

    @Override
    public void onMessage(WebSocket ws, String text) {  // v4 is binary; a text frame carries the same layout
      onMessage(ws, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void onClose(WebSocket ws, int code, String reason) {
      status.complete(null);
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      status.completeExceptionally(error);
    }
  }

  /**
   * Why the exec did not start: a refused websocket upgrade arrives as a handshake exception somewhere in the cause
   * chain, with the status code but no body (the JDK client keeps none).
   */
  private static String refusal(Throwable e, String namespace) {
    int code = refusalCode(e);
    if (code > 0) {
      return "the API server refused the exec with HTTP " + code + (code == 403 ? " (RBAC: the agent's service"
          + " account needs create and get on pods/exec in namespace " + namespace + ")" : "");
    }
    return "exec failed: " + e;
  }

  /** The status code of a refused websocket upgrade in {@code e}'s cause chain, else -1. */
  private static int refusalCode(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof WebSocketHandshakeException h && h.getResponse() != null) {
        return h.getResponse().code();
      }
    }
    return -1;
  }

  /** Keeps the first {@link #KEPT_BYTES} written; counts the rest. */
  private static final class Bounded extends OutputStream {
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private long dropped;

    @Override
    public synchronized void write(int b) {
      if (kept.size() < KEPT_BYTES) {
        kept.write(b);
      } else {
        dropped++;
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      int room = Math.max(0, Math.min(len, KEPT_BYTES - kept.size()));
      kept.write(b, off, room);
      dropped += len - room;
    }

    synchronized String text() {
      String s = kept.toString(StandardCharsets.UTF_8);
      return dropped == 0 ? s : s + "... (" + dropped + " more bytes)";
    }
  }
}

package dev.sreagent.k8s;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecListener;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.http.WebSocketHandshakeException;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One command in one container through {@code pods/exec} (a websocket, {@code v4.channel.k8s.io}): a fixed argument
 * vector (never a shell string), no stdin, no TTY; stdout and stderr are kept up to {@link #KEPT_BYTES} each; the exit
 * status is read from the exec status channel (channel 3: {@code Success}, or {@code NonZeroExitCode} with the code
 * in its {@code ExitCode} cause, or another failure with its message).
 */
final class PodExec {
  /** How much of stdout and of stderr is kept (the rest is counted, not stored). */
  static final int KEPT_BYTES = 16 * 1024;

  /**
   * What a command did.
   *
   * @param exitCode the exit code; -1 when the status channel reported a failure that is not an exit code
   * @param stdout the first {@link #KEPT_BYTES} of stdout
   * @param stderr the first {@link #KEPT_BYTES} of stderr
   * @param failure the status channel's message when the command did not run or did not exit 0, else empty
   * @param timedOut whether no exit status came within the timeout (the command may still be running)
   */
  record Outcome(int exitCode, String stdout, String stderr, String failure, boolean timedOut) {
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
    AtomicReference<Status> status = new AtomicReference<>();
    ExecWatch watch;
    try {
      watch = client.pods().inNamespace(namespace).withName(pod).inContainer(container)
          .writingOutput(out).writingError(err).usingListener(new ExecListener() {
            @Override
            public void onExit(int code, Status s) {
              status.set(s);
            }

            @Override
            public void onClose(int code, String reason) {
              // the exit code future completes on its own
            }
          }).exec(argv.toArray(String[]::new));
    } catch (KubernetesClientException e) {
      return new Outcome(-1, "", "", refusal(e, namespace), false);
    }
    try {
      Integer code = watch.exitCode().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Status s = status.get();
      String failure = s == null || "Success".equals(s.getStatus()) ? "" : String.valueOf(s.getMessage());
      if (code == null) {  // the socket closed without a status: nothing says the command ran to its end
        return new Outcome(-1, out.text(), err.text(), "the exec stream closed without an exit status", false);
      }
      return new Outcome(code, out.text(), err.text(), failure, false);
    } catch (TimeoutException e) {
      return new Outcome(-1, out.text(), err.text(), "", true);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return new Outcome(-1, out.text(), err.text(), "exec failed: " + cause.getMessage(), false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(-1, out.text(), err.text(), "interrupted while waiting for the exit status", false);
    } finally {
      watch.close();
    }
  }

  /**
   * Why the exec did not start. fabric8 reports a refused websocket upgrade as "HTTP -1: An error has occurred" and
   * the JDK client keeps no body of it: the code is read from the handshake exception in the cause chain.
   */
  private static String refusal(KubernetesClientException e, String namespace) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof WebSocketHandshakeException h && h.getResponse() != null) {
        int code = h.getResponse().code();
        return "the API server refused the exec with HTTP " + code + (code == 403 ? " (RBAC: the agent's service"
            + " account needs create and get on pods/exec in namespace " + namespace + ")" : "");
      }
    }
    return "exec failed: HTTP " + e.getCode() + ": " + (e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getStatus().getMessage() : e.getMessage());
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

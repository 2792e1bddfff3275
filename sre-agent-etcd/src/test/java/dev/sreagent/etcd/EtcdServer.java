package dev.sreagent.etcd;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The etcd the integration tests talk to: the one named by {@code -Detcd.endpoints} (.ci/run starts it), or one this
 * class starts from the {@code etcd} binary ({@code -Detcd.bin}, Debian package {@code etcd-server}) on free loopback
 * ports with a temporary data directory. A server it started can be killed and started again on the same ports and
 * data (the restart tests), and is stopped by its process on {@link #close()}.
 */
final class EtcdServer implements AutoCloseable {
  private final Path dir;
  private final int clientPort;
  private final int peerPort;
  private final int metricsPort;
  private final String endpoint;
  private Process process;

  private EtcdServer(String endpoint) {
    this.endpoint = endpoint;
    this.dir = null;
    this.clientPort = this.peerPort = this.metricsPort = -1;
  }

  private EtcdServer() throws IOException, InterruptedException {
    this.dir = Files.createTempDirectory("etcd-it");
    this.clientPort = freePort();
    this.peerPort = freePort();
    this.metricsPort = freePort();
    this.endpoint = "http://127.0.0.1:" + clientPort;
    start();
  }

  /** The shared server of {@code -Detcd.endpoints}, or a fresh one when that is not set. */
  static EtcdServer shared() throws IOException, InterruptedException {
    String given = System.getProperty("etcd.endpoints", "").trim();
    return given.isEmpty() || given.startsWith("${") ? new EtcdServer() : new EtcdServer(given.split(",")[0]);
  }

  /** A server of its own, which the test may kill and restart. */
  static EtcdServer own() throws IOException, InterruptedException {
    return new EtcdServer();
  }

  String endpoint() {
    return endpoint;
  }

  /** Starts the process (again, on the same ports and data directory) and waits until it is healthy. */
  void start() throws IOException, InterruptedException {
    String bin = System.getProperty("etcd.bin", "etcd");
    if (bin.isBlank() || bin.startsWith("${")) {
      bin = "etcd";
    }
    String peer = "http://127.0.0.1:" + peerPort;
    List<String> cmd = List.of(bin, "--name", "t", "--data-dir", dir.resolve("data").toString(),
        "--listen-client-urls", endpoint, "--advertise-client-urls", endpoint,
        "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", "t=" + peer,
        "--listen-metrics-urls", "http://127.0.0.1:" + metricsPort);
    try {
      process = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile())).start();
    } catch (IOException e) {
      throw new IOException("cannot start etcd ('" + bin + "'): install it (apt-get install -y etcd-server), set"
          + " -Detcd.bin, or point the tests at a running etcd with -Detcd.endpoints=http://127.0.0.1:2379", e);
    }
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("etcd exited at start; see " + dir.resolve("etcd.log"));
      }
      if (healthy()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IOException("etcd at " + endpoint + " not healthy within 20 s; see " + dir.resolve("etcd.log"));
  }

  /** SIGKILLs the server this class started. */
  void kill() throws InterruptedException {
    if (process == null) {
      throw new IllegalStateException("the shared etcd at " + endpoint + " was not started by this test");
    }
    process.destroyForcibly().waitFor();
  }

  private boolean healthy() {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(endpoint + "/health").toURL().openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(500);
      try (var in = c.getInputStream()) {
        return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).contains("true");
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() throws Exception {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
    if (dir != null) {
      try (Stream<Path> all = Files.walk(dir)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}

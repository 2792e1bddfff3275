package dev.sreagent.redis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Redis the integration tests talk to: the one named by {@code -Dredis.uri} (.ci/run starts it), or one this class
 * starts from {@code redis-server} ({@code -Dredis.bin}, Debian package {@code redis-server}) on a free loopback port
 * with a temporary directory and no persistence, as DEPENDENCIES.md starts it. A server it started can be killed and
 * started again on the same port (the restart tests) and is stopped by its process on {@link #close()}.
 */
final class RedisServer implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final String uri;
  private Process process;

  private RedisServer(String uri) {
    this.uri = uri;
    this.dir = null;
    this.port = -1;
  }

  private RedisServer() throws IOException, InterruptedException {
    this.dir = Files.createTempDirectory("redis-it");
    this.port = freePort();
    this.uri = "redis://127.0.0.1:" + port;
    start();
  }

  /** The shared server of {@code -Dredis.uri}, or a fresh one when that is not set. */
  static RedisServer shared() throws IOException, InterruptedException {
    String given = System.getProperty("redis.uri", "").trim();
    return given.isEmpty() || given.startsWith("${") ? new RedisServer() : new RedisServer(given);
  }

  /** A server of its own, which the test may kill and restart. */
  static RedisServer own() throws IOException, InterruptedException {
    return new RedisServer();
  }

  String uri() {
    return uri;
  }

  /** Starts the process (again, on the same port) and waits until it answers PING. */
  void start() throws IOException, InterruptedException {
    String bin = System.getProperty("redis.bin", "redis-server");
    if (bin.isBlank() || bin.startsWith("${")) {
      bin = "redis-server";
    }
    List<String> cmd = List.of(bin, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--dir", dir.toString());
    try {
      process = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
    } catch (IOException e) {
      throw new IOException("cannot start Redis ('" + bin + "'): install it (apt-get install -y redis-server), set"
          + " -Dredis.bin, or point the tests at a running Redis with -Dredis.uri=redis://127.0.0.1:6379", e);
    }
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("redis-server exited at start; see " + dir.resolve("redis.log"));
      }
      if (pong()) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IOException("Redis at " + uri + " not answering within 20 s; see " + dir.resolve("redis.log"));
  }

  /** SIGKILLs the server this class started. */
  void kill() throws InterruptedException {
    if (process == null) {
      throw new IllegalStateException("the shared Redis at " + uri + " was not started by this test");
    }
    process.destroyForcibly().waitFor();
  }

  private boolean pong() {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(500);
      s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] buf = new byte[7];
      int n = s.getInputStream().read(buf);
      return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
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
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}

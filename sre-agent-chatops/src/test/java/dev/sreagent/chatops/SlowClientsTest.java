package dev.sreagent.chatops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Clients that stall mid-request against the callback endpoint (a Slack or Teams approval behind them): each holds
 * one of the {@value CallbackServer#THREADS} handler threads until the JDK server's request deadline
 * ({@value CallbackServer#REQUEST_TIME_PROPERTY}) closes it. The server runs in a JVM of its own, since that deadline
 * is read once per JVM.
 */
class SlowClientsTest {
  /**
   * What a request sent behind {@link CallbackServer#THREADS} stalled ones got: its status, or -1 when none within
   * {@code waitSeconds}.
   */
  private static int behindStalledClients(Integer deadlineSeconds, int waitSeconds) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString()));
    if (deadlineSeconds != null) {
      command.add("-D" + CallbackServer.REQUEST_TIME_PROPERTY + "=" + deadlineSeconds);
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), CallbackServerProbe.class.getName()));
    Process probe = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    List<Socket> stalled = new ArrayList<>();
    try {
      String line = new BufferedReader(new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8))
          .readLine();
      assertThat(line).startsWith("port ");
      int port = Integer.parseInt(line.substring(5));
      for (int i = 0; i < CallbackServer.THREADS; i++) {  // headers sent, then 1 byte of a 100-byte body
        Socket s = new Socket("127.0.0.1", port);
        OutputStream out = s.getOutputStream();
        out.write(("POST /callback HTTP/1.1\r\nHost: probe\r\nContent-Length: 100\r\n\r\nx")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        stalled.add(s);
      }
      Thread.sleep(500);
      HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/callback").openConnection();
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setConnectTimeout(2000);
      c.setReadTimeout(waitSeconds * 1000);
      c.getOutputStream().write("payload=approve".getBytes(StandardCharsets.UTF_8));
      try {
        return c.getResponseCode();
      } catch (SocketTimeoutException e) {
        return -1;
      }
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
      probe.getOutputStream().close();
      probe.destroy();
      probe.waitFor();
    }
  }

  @Test
  void withTheRequestDeadlineARequestBehindStalledClientsIsAnswered() throws Exception {
    assertThat(behindStalledClients(2, 30)).as("answered once the deadline closes the stalled ones").isEqualTo(200);
  }

  @Test
  void withoutItStalledClientsHoldEveryHandlerThread() throws Exception {
    assertThat(behindStalledClients(null, 8)).as("the hole the deadline closes").isEqualTo(-1);
  }
}

package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.Phase;
import dev.sreagent.testkit.Fault;
import dev.sreagent.testkit.SimulationHarness;
import dev.sreagent.testkit.VirtualClock;
import java.io.File;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator dashboard in a real browser: Debian's headless Chromium driven through chromedriver (installed by
 * {@code .ci/run}: {@code apt-get install chromium chromium-driver}). The page's own script renders the plan waiting
 * for approval from {@code /api/state}, and a click on its Approve or Reject button is the human decision the agent
 * audits as user {@code dashboard}: what {@link DashboardServerTest} checks over HTTP, here through the page a person
 * uses. Chromium is kept off the network (only 127.0.0.1 resolves, and any other address, an IP literal too, goes to
 * a proxy on the discard port that is not there) and Selenium Manager never runs (the driver's path is given).
 */
class DashboardBrowserIT {
  private static final String CHROMIUM = System.getProperty("chromium.binary", "/usr/bin/chromium");
  private static final String DRIVER = System.getProperty("chromedriver.binary", "/usr/bin/chromedriver");
  /** Real time a page may take to show what the simulation did (it polls /api/state every second). */
  private static final Duration PAGE = Duration.ofSeconds(30);

  private WebDriver browser;

  @BeforeEach
  void openBrowser() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "--proxy-server=127.0.0.1:9",
        "--disable-extensions",
        "--disable-default-apps", "--no-pings", "--disable-domain-reliability");
    ChromeDriverService driver = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER))
        .usingAnyFreePort().build();
    browser = new ChromeDriver(driver, options);
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void anApprovalClickedOnThePageRenewsTheCertificateAndThePageShowsItResolved() throws Exception {
    DemoState state = new DemoState(VirtualClock.DEFAULT_START);
    try (DashboardServer server = new DashboardServer(0, state);
        SimulationHarness h = waitingForApproval(state)) {
      browser.get("http://127.0.0.1:" + server.port() + "/");
      assertThat(browser.getTitle()).isEqualTo("sre-agent dashboard");
      new WebDriverWait(browser, PAGE).until(ExpectedConditions.textToBePresentInElementLocated(By.id("pending"),
          "renew-certificate(payments;"));
      assertThat(browser.findElement(By.id("pending")).getText()).contains("INC-0001");
      assertThat(browser.findElement(By.cssSelector("#incidents .badge")).getText()).isEqualTo("AWAITING_APPROVAL");

      click("Approve", state);
      h.runFor(Duration.ofMinutes(10));
      new WebDriverWait(browser, PAGE).until(ExpectedConditions.textToBe(By.cssSelector("#incidents .badge"),
          "RESOLVED"));
      assertThat(browser.findElement(By.id("pending")).getText()).contains("nothing waiting");
      assertThat(h.agent().incidents()).singleElement().satisfies(i -> assertThat(i.state())
          .isEqualTo(IncidentState.RESOLVED));
      assertThat(h.agent().auditLog().records()).anySatisfy(r -> {
        assertThat(r.entry().actor()).isEqualTo("dashboard");
        assertThat(r.entry().type()).isEqualTo("approval.granted");
      });
    }
  }

  @Test
  void aRejectionClickedOnThePageChangesNothingAndEscalates() throws Exception {
    DemoState state = new DemoState(VirtualClock.DEFAULT_START);
    try (DashboardServer server = new DashboardServer(0, state);
        SimulationHarness h = waitingForApproval(state)) {
      browser.get("http://127.0.0.1:" + server.port() + "/");
      click("Reject", state);
      h.runFor(Duration.ofMinutes(1));
      new WebDriverWait(browser, PAGE).until(ExpectedConditions.textToBe(By.cssSelector("#incidents .badge"),
          "ESCALATED"));
      assertThat(h.events(dev.sreagent.core.audit.AuditEvent.ActionCompleted.class)).as("nothing ran").isEmpty();
      assertThat(h.agent().auditLog().records()).anySatisfy(r -> {
        assertThat(r.entry().actor()).isEqualTo("dashboard");
        assertThat(r.entry().type()).isEqualTo("approval.rejected");
      });
    }
  }

  /** An ASSIST run whose certificate renewal waits for a human (nobody on call answers it). */
  private static SimulationHarness waitingForApproval(DemoState state) {
    SimulationHarness h = SimulationHarness.builder().setPhase(Phase.ASSIST).setOnCallResponse(null)
        .setAgentCustomizer(ab -> ab.addNotifier(state)).setStepListener(state::onStep).build();
    state.startScenario("certificate-expiry", "browser test", "ASSIST");
    h.runFor(Duration.ofMinutes(30));
    h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
    h.runFor(Duration.ofMinutes(3));
    assertThat(h.agent().pendingApprovals()).hasSize(1);
    return h;
  }

  /**
   * Clicks the page's {@code label} button of the one plan waiting (found again if a refresh of the page replaced it
   * between finding and clicking), then waits in real time, the simulation standing still, until the page's request
   * reached the agent: the approval cannot expire meanwhile, so what follows is the click's doing.
   */
  private void click(String label, DemoState state) {
    By button = By.xpath("//tbody[@id='pending']//button[text()='" + label + "']");
    new WebDriverWait(browser, PAGE).ignoring(StaleElementReferenceException.class).until(d -> {
      d.findElement(button).click();
      return true;
    });
    long deadline = System.nanoTime() + PAGE.toNanos();
    while (state.decisions() == 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
    assertThat(state.decisions()).as("the page's " + label + " reached the agent").isEqualTo(1);
  }
}

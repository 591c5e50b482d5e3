package io.larder.sdk.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Durations;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.core.JobServiceProto.Job;
import io.larder.proto.core.JobServiceProto.JobStatus;
import io.larder.proto.core.JobServiceProto.JobType;
import io.larder.proto.larder.JobServiceExtProto.JobDetails;
import io.larder.proto.larder.JobServiceExtProto.ListJobDetailsRequest;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.types.ValueProto.ValueType;
import io.larder.sdk.LarderClient;
import io.larder.sdk.LarderException;
import io.larder.sdk.LarderSettings;
import io.larder.sdk.Values;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.chromium.ChromiumDriverLogLevel;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The registry's web console in a real headless browser (Debian's chromium and chromedriver)
 * against the whole stack: every page shows the stack's data (projects, entities, tables, a table's
 * revisions and stream job, jobs, a job's log), the diff of two revisions shows the change, the
 * try-it panel shows a value the gateway serves; with authentication on, the console asks for a
 * token and hides what the token's role may not do. A screenshot of each page goes to
 * target/failsafe-reports/console/.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {

  private static final String PROJECT = "console_" + UUID.randomUUID().toString().substring(0, 8);
  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(30);
  private static final Path SCREENSHOTS = Path.of("target", "failsafe-reports", "console");
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  @TempDir static Path home;
  private static LocalServices services;
  private static LarderClient larder;
  private static WebDriver browser;
  private static WebDriverWait wait;
  private static Job batchJob;
  private static String console;

  @BeforeAll
  static void startStackDataAndBrowser() throws Exception {
    services = new LocalServices(home);
    larder =
        LarderClient.connect(
            LarderSettings.defaults()
                .withRegistry("127.0.0.1:" + services.registryPort)
                .withJobService("127.0.0.1:" + services.jobServicePort)
                .withServing("127.0.0.1:" + services.servingPort)
                .withDeadline(Duration.ofSeconds(30))
                .withStagingDir(home.resolve("staging")));
    console = "http://127.0.0.1:" + services.registryHttpPort + "/console/";
    applyDefinitionsAndIngest();
    awaitReady(services.registryHttpPort);
    browser = startBrowser();
    wait = waiting(PAGE_TIMEOUT);
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  static void stopEverything() {
    try {
      if (browser != null) {
        browser.quit();
      }
    } finally {
      try {
        if (larder != null) {
          larder.close();
        }
      } finally {
        if (services != null) {
          services.close();
        }
      }
    }
  }

  @Test
  @Order(1)
  void everyPageShowsTheStacksData() throws Exception {
    open("#/projects");
    awaitText(By.id("projects"), PROJECT);
    assertThat(browser.findElement(By.id("user")).getText()).contains("authentication off");
    screenshot("projects");

    open("#/projects/" + PROJECT + "/entities");
    awaitText(By.id("entities"), "driver_id");
    assertThat(browser.findElement(By.id("entities")).getText())
        .contains("INT64")
        .contains("a driver");
    screenshot("entities");

    open("#/projects/" + PROJECT + "/tables");
    awaitText(By.id("tables"), "driver_trips");
    assertThat(browser.findElement(By.id("tables")).getText())
        .contains("driver_live")
        .contains("batch + stream");
    screenshot("tables");

    // Revision history, newest first, and by default the diff of the last two revisions.
    open("#/projects/" + PROJECT + "/tables/driver_trips");
    awaitText(By.id("revisions"), "3");
    assertThat(browser.findElements(By.cssSelector("#revisions tbody tr"))).hasSize(3);
    awaitText(By.id("diff"), "owner");
    assertThat(lines("#diff .line.add"))
        .anyMatch(line -> line.contains("\"owner\": \"console-it\""));
    assertThat(lines("#diff .line.del")).isEmpty();
    assertThat(browser.findElement(By.cssSelector("#stream-job")).getText())
        .contains("no stream source");
    screenshot("table");

    // Any two revisions: the first against the last shows the added feature and the label.
    browser.findElement(By.cssSelector("#revisions input[name=from][value='1']")).click();
    awaitText(By.cssSelector(".diff-summary"), "revision 1 → revision 3");
    assertThat(lines("#diff .line.add"))
        .anyMatch(line -> line.contains("\"name\": \"rating\""))
        .anyMatch(line -> line.contains("\"owner\": \"console-it\""));
    // ...and the other way round, the same lines removed.
    browser.findElement(By.cssSelector("#revisions input[name=from][value='3']")).click();
    browser.findElement(By.cssSelector("#revisions input[name=to][value='2']")).click();
    awaitText(By.cssSelector(".diff-summary"), "revision 3 → revision 2");
    assertThat(lines("#diff .line.del")).anyMatch(line -> line.contains("\"owner\""));
    assertThat(lines("#diff .line.add")).isEmpty();
    screenshot("table-diff");

    // The stream table's page shows the stream job the job service started for it.
    JobDetails stream = awaitStreamJob();
    open("#/projects/" + PROJECT + "/tables/driver_live");
    awaitText(By.id("stream-job"), stream.getJob().getId());
    assertThat(browser.findElement(By.id("stream-job")).getText())
        .containsPattern("running|pending");
    screenshot("table-stream-job");

    open("#/jobs");
    awaitText(By.id("jobs"), batchJob.getId());
    assertThat(rowText("#jobs", batchJob.getId()))
        .contains("batch ingestion")
        .contains("done")
        .contains("3 read");
    assertThat(rowText("#jobs", stream.getJob().getId()))
        .contains("stream ingestion")
        .containsPattern("running|pending");
    screenshot("jobs");

    // A job's page: its progress, history and log.
    wait.until(
        driver -> {
          driver.findElement(By.linkText(batchJob.getId())).click();
          return true;
        });
    wait.until(ExpectedConditions.urlContains("#/jobs/" + batchJob.getId()));
    awaitText(By.id("history"), "done");
    wait.until(driver -> !driver.findElement(By.id("log")).getText().isBlank());
    assertThat(browser.findElement(By.id("log")).getText()).doesNotContain("cannot be read");
    assertThat(browser.findElement(By.cssSelector("[data-page=job]")).getText())
        .contains("Rows read")
        .contains(PROJECT);
    screenshot("job");

    // Try it: a value the batch job wrote, read through the gateway.
    open("#/try?project=" + PROJECT + "&table=driver_trips");
    WebElement key = awaitVisible(By.cssSelector("input[data-key=driver_id]"));
    key.sendKeys("1001");
    browser.findElement(By.cssSelector("form.lookup button[type=submit]")).click();
    WebElement trips = awaitVisible(By.cssSelector("tr[data-feature='driver_trips:trips']"));
    assertThat(trips.findElement(By.cssSelector("td.value")).getText()).isEqualTo("7");
    assertThat(trips.getText()).contains("PRESENT");
    assertThat(
            browser
                .findElement(By.cssSelector("tr[data-feature='driver_trips:rating'] td.value"))
                .getText())
        .isEqualTo("4.8");
    screenshot("try-it");
  }

  @Test
  @Order(2)
  void withAuthenticationTheConsoleAsksForATokenAndShowsOnlyWhatTheRoleAllows() throws Exception {
    Path secretFile = home.resolve("auth.secret");
    byte[] secret = new byte[48];
    new SecureRandom().nextBytes(secret);
    Files.writeString(secretFile, Base64.getEncoder().encodeToString(secret));
    int securedPort =
        services.startRegistry(
            "registry-auth",
            "--larder.security.enabled=true",
            "--larder.security.secret-file=" + secretFile);
    awaitReady(securedPort);
    console = "http://127.0.0.1:" + securedPort + "/console/";
    String key = Files.readString(secretFile).trim();

    // The page loads without a token and asks for one; a forged token is refused.
    open("#/projects");
    WebElement token = awaitVisible(By.id("token"));
    screenshot("login");
    token.sendKeys("not-a-jwt");
    browser.findElement(By.cssSelector(".login button[type=submit]")).click();
    awaitText(By.cssSelector(".login .notice.error"), "token rejected");

    // A reader sees the project and its jobs but no cancel button, and may try features.
    signIn(token("analyst", key, "reader:" + PROJECT));
    awaitText(By.id("projects"), PROJECT);
    assertThat(browser.findElement(By.cssSelector("#user .subject")).getText())
        .isEqualTo("analyst");
    assertThat(browser.findElement(By.cssSelector("#nav a[data-section=try]")).isDisplayed())
        .isTrue();
    JobDetails stream = awaitStreamJob();
    open("#/jobs");
    awaitText(By.id("jobs"), stream.getJob().getId());
    assertThat(browser.findElements(By.cssSelector("#jobs button.cancel"))).isEmpty();
    screenshot("jobs-reader");
    signOut();

    // No role anywhere: no project, and no try-it.
    signIn(token("stranger", key));
    awaitText(By.cssSelector("[data-page=projects]"), "No project you hold a role in");
    assertThat(browser.findElement(By.cssSelector("#nav a[data-section=try]")).isDisplayed())
        .isFalse();
    signOut();

    // A writer may cancel the running stream job, through the registry's proxy.
    signIn(token("pipeline", key, "writer:" + PROJECT));
    open("#/jobs");
    String id = stream.getJob().getId();
    WebElement cancel =
        wait.until(
            driver ->
                driver.findElement(By.cssSelector("#jobs button.cancel[data-job='" + id + "']")));
    screenshot("jobs-writer");
    cancel.click();
    wait.until(ExpectedConditions.alertIsPresent()).accept();
    // The cancel answers once the job's process has ended (TERM, then KILL after a grace).
    waiting(Duration.ofSeconds(60)).until(driver -> row("#jobs", id).getText().contains("error"));
    assertThat(larder.getJob(id).getStatus()).isEqualTo(JobStatus.JOB_STATUS_ERROR);
  }

  // ---------------------------------------------------------------- the stack's data

  /** An entity, a table in three revisions with a batch job's data, and a stream table. */
  private static void applyDefinitionsAndIngest() throws Exception {
    Path csv = home.resolve("driver_trips.csv");
    Files.writeString(
        csv,
        """
        driver_id,trips,rating,event_ts
        1001,3,4.5,2030-01-01T09:00:00Z
        1001,7,4.8,2030-01-01T10:00:00Z
        1002,2,4.1,2030-01-01T09:30:00Z
        """);
    larder.createProject(PROJECT);
    larder.applyEntity(
        PROJECT,
        EntitySpecV2.newBuilder()
            .setName("driver_id")
            .setValueType(ValueType.Enum.INT64)
            .setDescription("a driver")
            .build());
    FeatureTableSpec first = table("driver_trips", csv.toUri().toString(), null).build();
    FeatureTableSpec second =
        first.toBuilder()
            .addFeatures(
                FeatureSpecV2.newBuilder().setName("rating").setValueType(ValueType.Enum.DOUBLE))
            .build();
    FeatureTableSpec third =
        second.toBuilder()
            .putLabels("owner", "console-it")
            .setMaxAge(Durations.fromDays(3650))
            .build();
    for (FeatureTableSpec revision : List.of(first, second, third)) {
      larder.applyFeatureTable(PROJECT, revision);
    }

    batchJob =
        larder.startBatchIngestion(
            PROJECT,
            "driver_trips",
            Instant.parse("2030-01-01T00:00:00Z"),
            Instant.parse("2030-01-02T00:00:00Z"));
    JobDetails done = larder.awaitJob(batchJob.getId(), JOB_TIMEOUT, details -> {});
    assertThat(done.getJob().getStatus()).as(done.getError()).isEqualTo(JobStatus.JOB_STATUS_DONE);
    await(
        () -> {
          try {
            return larder
                    .getOnlineFeatures(
                        PROJECT,
                        List.of("driver_trips:trips"),
                        List.of(Values.entityRow("driver_id", 1001L)))
                    .getFieldValues(0)
                    .getStatusesOrDefault("driver_trips:trips", null)
                == FieldStatus.PRESENT;
          } catch (LarderException e) {
            return false; // the gateway has not seen the table yet
          }
        },
        Duration.ofSeconds(60),
        "the gateway serves driver 1001");

    larder.applyFeatureTable(
        PROJECT,
        table("driver_live", home.resolve("offline").toUri().toString(), "console-" + PROJECT)
            .build());
  }

  private static FeatureTableSpec.Builder table(String name, String batchUrl, String topic) {
    return DriverTables.driverTable(name, batchUrl, topic);
  }

  /** The stream table's job, once the job service has started it. */
  private static JobDetails awaitStreamJob() throws InterruptedException {
    ListJobDetailsRequest request =
        ListJobDetailsRequest.newBuilder()
            .setProject(PROJECT)
            .setTableName("driver_live")
            .setType(JobType.STREAM_INGESTION_JOB)
            .build();
    await(
        () -> !larder.listJobDetails(request).isEmpty(),
        Duration.ofSeconds(60),
        "the stream job of driver_live");
    return larder.listJobDetails(request).get(0);
  }

  private static String token(String subject, String secret, String... roles) throws Exception {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject(subject)
            .issueTime(new Date())
            .expirationTime(Date.from(Instant.now().plus(Duration.ofMinutes(30))))
            .claim("larder_roles", List.of(roles))
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  /** Until the registry's HTTP side answers ready (its gRPC port may open first). */
  private static void awaitReady(int httpPort) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest ready =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/actuator/health/readiness"))
            .timeout(Duration.ofSeconds(5))
            .build();
    await(
        () -> {
          try {
            return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
          } catch (IOException e) {
            return false;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        },
        Duration.ofSeconds(90),
        "registry ready on HTTP port " + httpPort);
  }

  private static void await(BooleanSupplier done, Duration timeout, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (done.getAsBoolean()) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("not within " + timeout + ": " + what);
  }

  // ---------------------------------------------------------------- the browser

  /** Debian's chromium through its chromedriver, both named: Selenium Manager downloads nothing. */
  private static WebDriver startBrowser() throws IOException {
    for (String binary : List.of(CHROMIUM, CHROMEDRIVER)) {
      if (!Files.isExecutable(Path.of(binary))) {
        throw new IllegalStateException(
            binary + " is missing: apt-get install chromium chromium-driver (.ci/run does)");
      }
    }
    Path profile = Files.createDirectories(home.resolve("chromium-profile"));
    Path logs = Files.createDirectories(Path.of("target", "it-logs"));
    ChromeOptions options =
        new ChromeOptions()
            .setBinary(new File(CHROMIUM))
            .addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--window-size=1280,900",
                "--user-data-dir=" + profile);
    ChromeDriverService driver =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            // Warnings only: at INFO the driver logs every command, the pasted tokens included.
            .withLogLevel(ChromiumDriverLogLevel.WARNING)
            .withLogFile(logs.resolve("chromedriver-console.log").toFile())
            .build();
    ChromeDriver chrome = new ChromeDriver(driver, options);
    chrome.manage().timeouts().pageLoadTimeout(PAGE_TIMEOUT).scriptTimeout(PAGE_TIMEOUT);
    return chrome;
  }

  private static void open(String hash) {
    browser.get(console + hash);
  }

  private static void signIn(String jwt) {
    WebElement token = awaitVisible(By.id("token"));
    token.clear();
    token.sendKeys(jwt);
    browser.findElement(By.cssSelector(".login button[type=submit]")).click();
    awaitVisible(By.cssSelector("#user .subject"));
  }

  private static void signOut() {
    browser.findElement(By.cssSelector("#user button")).click();
    awaitVisible(By.id("token"));
  }

  /** Pages re-render their lists as they refresh: a vanished element is looked up again. */
  private static WebDriverWait waiting(Duration timeout) {
    WebDriverWait waiting = new WebDriverWait(browser, timeout);
    waiting.ignoring(StaleElementReferenceException.class);
    return waiting;
  }

  private static WebElement awaitVisible(By locator) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(locator));
  }

  private static void awaitText(By locator, String text) {
    wait.until(ExpectedConditions.textToBePresentInElementLocated(locator, text));
  }

  private static List<String> lines(String selector) {
    return browser.findElements(By.cssSelector(selector)).stream()
        .map(WebElement::getText)
        .toList();
  }

  private static String rowText(String table, String text) {
    return wait.until(driver -> row(table, text).getText());
  }

  /** The table row of a list holding the text (a job id). */
  private static WebElement row(String table, String text) {
    return browser.findElements(By.cssSelector(table + " tbody tr")).stream()
        .filter(row -> row.getText().contains(text))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException(text + " in " + table));
  }

  /**
   * The whole page (the window grown to its height), as target/failsafe-reports/console/NAME.png.
   */
  private static void screenshot(String name) throws IOException {
    ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0)");
    long height =
        (Long)
            ((JavascriptExecutor) browser)
                .executeScript("return document.documentElement.scrollHeight");
    Dimension before = browser.manage().window().getSize();
    browser
        .manage()
        .window()
        .setSize(new Dimension(1280, (int) Math.min(4000, Math.max(900, height + 120))));
    try {
      byte[] png = ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES);
      Files.write(SCREENSHOTS.resolve(name + ".png"), png);
    } finally {
      browser.manage().window().setSize(before);
    }
  }
}

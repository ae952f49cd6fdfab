package io.jobrunner.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.JobData;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.RecurringJob;
import io.jobrunner.testkit.Await;
import io.jobrunner.testkit.PostgresFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: headless Chromium driven through ChromeDriver, against a
 * PostgreSQL store with a runner working on it. Screenshots of each page go to
 * {@code target/screenshots}, and to {@code docs/screenshots} with {@code -Ddashboard.screenshots=docs}.
 */
class DashboardBrowserTest {

    static final Path CHROMIUM = Path.of(System.getProperty("chromium.binary", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("chromedriver.binary", "/usr/bin/chromedriver"));
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static PostgresFixture postgres;
    private DashboardFixture fixture;
    private WebDriver browser;

    @BeforeAll
    static void createSchema() {
        for (Path binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException("The browser test needs Chromium and ChromeDriver: " + binary + " is missing."
                        + " Install them with 'apt-get install chromium chromium-driver' (.ci/run does), or point"
                        + " -Dchromium.binary and -Dchromedriver.binary at them");
            }
        }
        postgres = PostgresFixture.forTestClass(DashboardBrowserTest.class);
    }

    @AfterAll
    static void dropSchema() {
        postgres.close();
    }

    @BeforeEach
    void open() {
        fixture = DashboardFixture.onPostgres(postgres);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void close() {
        if (browser != null) {
            browser.quit();
        }
        fixture.close();
    }

    private JobRequest finished(JobData job) {
        JobRequest dispatched = fixture.runner.dispatchJob(job);
        return fixture.runner.jobs().await(dispatched.id(), TIMEOUT).orElseThrow();
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(browser, TIMEOUT);
    }

    private String statusShown() {
        return browser.findElement(By.cssSelector("#status .status")).getText();
    }

    @Test
    void aFailedJobRetriedFromTheFailedListRunsAndItsPageShowsItSucceeded() {
        JobRequest flaky = finished(JobData.of("flaky", "lin"));
        assertThat(flaky.status()).isEqualTo(JobStatus.FAILED);

        browser.get(fixture.url("/failed"));
        WebElement row = browser.findElement(By.cssSelector("tr[data-id='" + flaky.id() + "']"));
        assertThat(row.getText()).contains("flaky", "failed", "the first attempt of lin always fails");
        row.findElement(By.xpath(".//button[text()='Retry']")).click();

        waiting().until(driver -> driver.getCurrentUrl().endsWith("/jobs/" + flaky.id() + "?done=retried"));
        assertThat(browser.findElement(By.cssSelector("p.notice")).getText()).as("the retry is confirmed")
                .startsWith("Queued again");
        waiting().until(driver -> statusShown().equals("succeeded"));
        assertThat(browser.findElement(By.cssSelector("pre.result")).getText()).contains("hello lin");
        assertThat(browser.findElement(By.id("log")).getText()).contains("attempt 1 for lin", "attempt 2 for lin");
        assertThat(fixture.runner.jobs().find(flaky.id()).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void aRunningJobsProgressAdvancesOnItsPageWithoutAReload() {
        JobRequest steps = fixture.runner.dispatchJob(JobData.of("steps", 20));
        Await.until("the job to report progress", TIMEOUT,
                () -> fixture.runner.jobs().find(steps.id()).orElseThrow().progress() > 0);

        browser.get(fixture.url("/jobs/" + steps.id()));
        JavascriptExecutor page = (JavascriptExecutor) browser;
        page.executeScript("window.sameDocument = 'not reloaded';");
        int first = progressShown();
        assertThat(statusShown()).isEqualTo("running");

        waiting().until(driver -> progressShown() >= first + 10);

        assertThat(page.executeScript("return window.sameDocument;")).as("the same document, not a reload")
                .isEqualTo("not reloaded");
        assertThat(browser.findElement(By.id("progress-text")).getText()).isEqualTo(progressShown() + "%");
        assertThat(browser.findElement(By.id("message")).getText()).startsWith("step ");
        assertThat(browser.findElements(By.cssSelector("#log tr"))).hasSizeGreaterThanOrEqualTo(first / 5 + 2);
        screenshot("job");
        fixture.runner.jobs().cancel(steps.id());
    }

    private int progressShown() {
        return Integer.parseInt(browser.findElement(By.id("progress")).getAttribute("value"));
    }

    @Test
    void anErrorHoldingHtmlIsShownAsTextAndNeverRun() {
        JobRequest html = finished(JobData.of("html", "in the payload"));

        browser.get(fixture.url("/jobs/" + html.id()));
        WebElement error = browser.findElement(By.id("last-error"));
        assertThat(error.getText()).contains(DashboardFixture.HTML_ERROR);
        assertThat(error.findElements(By.tagName("b"))).isEmpty();
        assertThat(((JavascriptExecutor) browser).executeScript("return window.injected === undefined;")).isEqualTo(true);

        browser.get(fixture.url("/failed"));
        assertThat(browser.findElement(By.cssSelector("tr[data-id='" + html.id() + "'] td.message")).getText())
                .contains("<script>window.injected = true</script>");
        assertThat(((JavascriptExecutor) browser).executeScript("return window.injected === undefined;")).isEqualTo(true);
    }

    @Test
    void everyPageRendersWithData() {
        List<JobData> quick = new java.util.ArrayList<>();
        for (int i = 0; i < 240; i++) {
            quick.add(JobData.of("steps", 0));
        }
        fixture.runner.dispatchJobs(quick);
        Await.until("the quick jobs to succeed", TIMEOUT,
                () -> fixture.runner.jobs().count(JobQuery.all().withStatus(JobStatus.SUCCEEDED)) == 240);
        for (int i = 0; i < 12; i++) {
            fixture.runner.dispatchJob(JobData.of("flaky", "user-" + i));
        }
        finished(JobData.of("html", "report 7"));
        fixture.runner.schedules().define(RecurringJob.builder("nightly-report").schedule("0 3 * * *")
                .job(JobData.of("steps", 3)).build());
        JobRequest running = fixture.runner.dispatchJob(JobData.of("steps", 40));
        Await.until("the failures to settle", TIMEOUT,
                () -> fixture.runner.jobs().count(JobQuery.all().withStatus(JobStatus.FAILED)) == 13);
        long retried = fixture.runner.jobs().list(JobQuery.all().withStatus(JobStatus.FAILED).limit(1)).get(0).id();
        fixture.runner.jobs().retry(retried);
        fixture.runner.jobs().await(retried, TIMEOUT);
        // an hour of history: every success (the retried one too) moved into the 55 minutes before this one
        postgres.execute("UPDATE job_request SET finished_at = now() - (id % 55 + 1) * interval '1 minute',"
                + " created_at = now() - (id % 55 + 1) * interval '1 minute' - interval '1 second'"
                + " WHERE status = 'succeeded'");

        browser.get(fixture.url("/"));
        assertThat(browser.findElement(By.id("count-failed")).getText()).isNotEmpty();
        assertThat(browser.findElements(By.cssSelector("#chart rect.bar-bad"))).hasSize(60);
        assertThat(browser.findElements(By.cssSelector("#chart rect.bar-ok")).stream()
                .filter(bar -> !bar.getAttribute("height").equals("0")).count())
                .as("a bar for each of the 55 past minutes with successes").isEqualTo(55);
        assertThat(browser.findElement(By.cssSelector(".summary .ok")).getText()).as("240 and the retried one").isEqualTo("241 succeeded");
        screenshot("overview");
        browser.get(fixture.url("/jobs"));
        List<WebElement> rows = browser.findElements(By.cssSelector("table.jobs tbody tr"));
        assertThat(rows).as("a full first page").hasSize(50);
        assertThat(rows.get(0).getAttribute("data-id")).as("newest first").isEqualTo(String.valueOf(running.id()));
        browser.get(fixture.url("/jobs?order=oldest&after=230"));
        assertThat(browser.findElements(By.cssSelector("table.jobs tbody tr")))
                .as("oldest first after id 230: the last ten quick jobs and the fourteen others").hasSize(24);
        browser.get(fixture.url("/jobs"));
        screenshot("jobs");
        browser.get(fixture.url("/failed"));
        assertThat(browser.findElements(By.xpath("//button[text()='Retry']"))).hasSizeGreaterThanOrEqualTo(12);
        screenshot("failed");
        browser.get(fixture.url("/schedules"));
        assertThat(browser.findElement(By.cssSelector("main table")).getText()).contains("nightly-report", "0 3 * * *");
        screenshot("schedules");
        fixture.runner.jobs().cancel(running.id());
    }

    private void screenshot(String page) {
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        try {
            Path target = Files.createDirectories(Path.of("target", "screenshots"));
            Files.copy(shot, target.resolve("dashboard-" + page + ".png"), StandardCopyOption.REPLACE_EXISTING);
            if ("docs".equals(System.getProperty("dashboard.screenshots"))) {
                Path docs = Files.createDirectories(Path.of("..", "docs", "screenshots"));
                Files.copy(shot, docs.resolve("dashboard-" + page + ".png"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Could not keep the screenshot of " + page + ": " + e.getMessage(), e);
        }
    }
}

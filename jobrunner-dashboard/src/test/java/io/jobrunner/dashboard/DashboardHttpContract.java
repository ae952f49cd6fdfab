package io.jobrunner.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobrunner.InvalidSettingException;
import io.jobrunner.JobData;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.JobWorker;
import io.jobrunner.RecurringJob;
import io.jobrunner.ScheduledJob;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.testkit.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard over HTTP against a real store: pages, the JSON API, the CSRF check on actions,
 * escaping, and access control. Subclasses give the store.
 */
abstract class DashboardHttpContract {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CSRF_META = Pattern.compile("<meta name=\"csrf-token\" content=\"([^\"]+)\">");

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private DashboardFixture fixture;

    protected abstract DashboardFixture openFixture() throws Exception;

    @BeforeEach
    void open() throws Exception {
        fixture = openFixture();
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private JobRequest finished(JobData job) {
        JobRequest dispatched = fixture.runner.dispatchJob(job);
        return fixture.runner.jobs().await(dispatched.id(), TIMEOUT).orElseThrow();
    }

    @Test
    void pagesAndTheApiShowAFailedJobWithItsLogAndItsErrorAsText() throws Exception {
        JobRequest html = finished(JobData.of("html", "in a payload"));
        JobRequest flaky = finished(JobData.of("flaky", "ada"));
        assertThat(html.status()).isEqualTo(JobStatus.FAILED);

        HttpResponse<String> failedPage = get("/failed");
        assertThat(failedPage.statusCode()).isEqualTo(200);
        assertThat(failedPage.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                policy -> assertThat(policy).contains("script-src 'self'"));
        assertThat(failedPage.body()).contains("href=\"/jobs/" + html.id() + "\"", "href=\"/jobs/" + flaky.id() + "\"")
                .contains("&lt;script&gt;window.injected = true&lt;/script&gt;&lt;b&gt;not bold&lt;/b&gt;")
                .doesNotContain("<script>window.injected", "<b>not bold");

        HttpResponse<String> detail = get("/jobs/" + flaky.id());
        assertThat(detail.body()).contains("attempt 1 for ada", "the first attempt of ada always fails", "flaky");

        JsonNode job = json(get("/api/jobs/" + flaky.id()));
        assertThat(job.path("status").asText()).isEqualTo("failed");
        assertThat(job.path("log").path("lines").get(0).path("message").asText()).isEqualTo("attempt 1 for ada");
        assertThat(job.path("history").get(0).path("outcome").asText()).isEqualTo("failed");

        JsonNode overview = json(get("/api/overview"));
        assertThat(overview.path("byStatus").path("failed").asLong()).isEqualTo(2);
        assertThat(overview.path("byType").path("flaky").path("failed").asLong()).isEqualTo(1);
        assertThat(overview.path("lastHour")).hasSize(60);
        long failedLastHour = 0;
        for (JsonNode minute : overview.path("lastHour")) {
            failedLastHour += minute.path("failed").asLong();
        }
        assertThat(failedLastHour).isEqualTo(2);
        assertThat(get("/").body()).contains("id=\"count-failed\">2<", "<svg class=\"chart\"", "2 failed or cancelled");

        JsonNode page = json(get("/api/jobs?status=failed&type=html"));
        assertThat(page.path("jobs")).hasSize(1);
        assertThat(page.path("jobs").get(0).path("id").asLong()).isEqualTo(html.id());
    }

    @Test
    void retryIsRefusedWithoutTheCsrfTokenAndWithItRunsTheJobAgain() throws Exception {
        JobRequest flaky = finished(JobData.of("flaky", "grace"));
        assertThat(flaky.status()).isEqualTo(JobStatus.FAILED);

        HttpResponse<String> forged = post("/jobs/" + flaky.id() + "/retry", "csrf=guessed");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains("carries a CSRF token that is not this dashboard");
        HttpResponse<String> bare = post("/jobs/" + flaky.id() + "/retry", "back=/failed");
        assertThat(bare.statusCode()).isEqualTo(403);
        assertThat(bare.body()).contains("lacks the dashboard", "CSRF token").doesNotContain("not this dashboard");
        assertThat(fixture.runner.jobs().find(flaky.id()).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
        assertThat(get("/jobs/" + flaky.id() + "/retry").statusCode()).as("a GET never acts").isEqualTo(405);

        for (String elsewhere : List.of("//evil.example", "/\\evil.example", "https://evil.example", "javascript:alert(1)")) {
            JobRequest failedAgain = finished(JobData.of("flaky", "bounce"));
            HttpResponse<String> bounced = post("/jobs/" + failedAgain.id() + "/retry", "csrf=" + csrfToken() + "&back="
                    + URLEncoder.encode(elsewhere, StandardCharsets.UTF_8));
            assertThat(bounced.headers().firstValue("Location")).as(elsewhere)
                    .hasValue("/jobs/" + failedAgain.id() + "?done=retried");
        }
        HttpResponse<String> retried = post("/jobs/" + flaky.id() + "/retry", "csrf=" + csrfToken() + "&back=/failed");
        assertThat(retried.statusCode()).isEqualTo(303);
        assertThat(retried.headers().firstValue("Location")).hasValue("/failed?done=retried");
        assertThat(get("/failed?done=retried").body()).as("the page it returns to says what was done")
                .contains("<p class=\"notice\" role=\"status\">Queued again, with its history kept");
        assertThat(get("/failed?done=%3Cscript%3E").body()).as("an unknown notice shows nothing, never the text")
                .doesNotContain("class=\"notice\"").doesNotContain("<script>");
        JobRequest after = fixture.runner.jobs().await(flaky.id(), TIMEOUT).orElseThrow();
        assertThat(after.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(after.resultJson()).contains("hello grace");

        HttpResponse<String> again = post("/jobs/" + flaky.id() + "/retry", "csrf=" + csrfToken());
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("Job request " + flaky.id() + " has succeeded",
                "only failed or cancelled requests can be retried");
    }

    @Test
    void aJobTypePausedFromTheOverviewHoldsItsJobsUntilResumedThereAndTheApiListsThePause() throws Exception {
        assertThat(post("/pauses/type/flaky/pause", "csrf=guessed").statusCode()).isEqualTo(403);
        assertThat(fixture.runner.jobs().paused()).isEmpty();
        fixture.runner.dispatchJob(JobData.of("flaky", "warm-up"));   // a row for the type in the overview

        HttpResponse<String> paused = post("/pauses/type/flaky/pause", "csrf=" + csrfToken());
        assertThat(paused.statusCode()).isEqualTo(303);
        assertThat(paused.headers().firstValue("Location")).hasValue("/?done=paused");
        JobRequest held = fixture.runner.dispatchJob(JobData.of("flaky", "held"));
        Await.holdsFor("held while paused", Duration.ofMillis(800),
                () -> fixture.runner.jobs().find(held.id()).orElseThrow().status() == JobStatus.QUEUED);
        String overview = get("/?done=paused").body();
        assertThat(overview).contains("Paused for every process sharing the store", "id=\"pauses\"", "job type flaky",
                "tag-paused", "/pauses/type/flaky/resume");
        JsonNode pauses = json(get("/api/overview")).path("paused");
        assertThat(pauses).hasSize(1);
        assertThat(pauses.get(0).path("kind").asText()).isEqualTo("jobType");
        assertThat(pauses.get(0).path("queued").asLong()).isEqualTo(1);

        HttpResponse<String> resumed = http.send(HttpRequest.newBuilder(uri("/api/pauses/type/flaky/resume"))
                .header("X-CSRF-Token", csrfToken()).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(resumed.statusCode()).isEqualTo(200);
        assertThat(json(resumed).path("changed").asBoolean()).isTrue();
        assertThat(fixture.runner.jobs().await(held.id(), TIMEOUT).orElseThrow().status()).isIn(JobStatus.SUCCEEDED,
                JobStatus.FAILED);
        assertThat(get("/").body()).contains("id=\"no-pauses\"");
    }

    @Test
    void theApiCancelsARunningJobWithTheTokenInAHeader() throws Exception {
        JobRequest steps = fixture.runner.dispatchJob(JobData.of("steps", 50));
        Await.until("the job to start", TIMEOUT,
                () -> fixture.runner.jobs().find(steps.id()).orElseThrow().status() == JobStatus.RUNNING);

        HttpResponse<String> without = http.send(HttpRequest.newBuilder(uri("/api/jobs/" + steps.id() + "/cancel"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(without.statusCode()).isEqualTo(403);
        assertThat(json(without).path("error").asText()).contains("CSRF");

        HttpResponse<String> cancelled = http.send(HttpRequest.newBuilder(uri("/api/jobs/" + steps.id() + "/cancel"))
                .header("X-CSRF-Token", csrfToken()).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(cancelled.statusCode()).isEqualTo(200);
        assertThat(json(cancelled).path("cancelRequested").asBoolean()).isTrue();
        assertThat(fixture.runner.jobs().await(steps.id(), TIMEOUT).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
    }

    @Test
    void theApiListsNewestFirstAndPagesOnWithNext() throws Exception {
        long first = fixture.runner.dispatchJob(JobData.of("steps", 0)).id();
        long second = fixture.runner.dispatchJob(JobData.of("steps", 0)).id();
        long third = fixture.runner.dispatchJob(JobData.of("steps", 0)).id();

        JsonNode page = json(get("/api/jobs?limit=2"));
        assertThat(page.path("jobs").findValuesAsText("jobType")).containsOnly("steps");
        assertThat(List.of(page.path("jobs").get(0).path("id").asLong(), page.path("jobs").get(1).path("id").asLong()))
                .containsExactly(third, second);
        assertThat(page.path("next").asLong()).isEqualTo(second);
        JsonNode next = json(get("/api/jobs?limit=2&after=" + second));
        assertThat(next.path("jobs")).hasSize(1);
        assertThat(next.path("jobs").get(0).path("id").asLong()).isEqualTo(first);
        assertThat(next.path("next").isNull()).isTrue();
        JsonNode oldest = json(get("/api/jobs?limit=2&order=oldest"));
        assertThat(oldest.path("jobs").get(0).path("id").asLong()).isEqualTo(first);
        HttpResponse<String> badOrder = get("/api/jobs?order=sideways");
        assertThat(badOrder.statusCode()).isEqualTo(400);
        assertThat(json(badOrder).path("error").asText()).isEqualTo("Unknown order 'sideways': use newest or oldest");
    }

    @Test
    void aListShowsTheStartOfABigPayloadAndTheJobShowsAllOfIt() throws Exception {
        String big = "x".repeat(5_000);
        JobRequest job = finished(JobData.of("html", big));

        JsonNode listed = json(get("/api/jobs?type=html")).path("jobs").get(0);
        assertThat(listed.path("id").asLong()).isEqualTo(job.id());
        assertThat(listed.path("payload").asText()).hasSizeLessThan(600).startsWith("\"xxx")
                .endsWith("(cut at 500 characters; show the job for all of it)");
        assertThat(json(get("/api/jobs/" + job.id())).path("payload").asText()).isEqualTo(big);
    }

    @Test
    void badFiltersAndUnknownJobsAreAnsweredWithWhatToDo() throws Exception {
        HttpResponse<String> badStatus = get("/api/jobs?status=done");
        assertThat(badStatus.statusCode()).isEqualTo(400);
        assertThat(json(badStatus).path("error").asText())
                .isEqualTo("Unknown status 'done': use queued, running, succeeded, failed or cancelled");
        HttpResponse<String> badLimit = get("/jobs?limit=100000");
        assertThat(badLimit.statusCode()).isEqualTo(400);
        assertThat(badLimit.body()).contains("&#39;limit&#39; must be a whole number from 1 to 500");
        HttpResponse<String> missing = get("/jobs/987654");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("No job request 987654");
    }

    @Test
    void schedulesAreListedWithTheirNextRun() throws Exception {
        fixture.runner.schedules().define(RecurringJob.builder("nightly <flaky>").schedule("0 3 * * *")
                .job(JobData.of("flaky", "night")).build());

        HttpResponse<String> page = get("/schedules");
        assertThat(page.body()).contains("nightly &lt;flaky&gt;", "<code>0 3 * * *</code>", "flaky");
        JsonNode api = json(get("/api/schedules"));
        assertThat(api.get(0).path("name").asText()).isEqualTo("nightly <flaky>");
        assertThat(api.get(0).path("nextRunAt").asText()).isNotEmpty();
    }

    @Test
    void triggerNowDispatchesTheScheduledJobAndLeavesTheScheduleWhereItWas() throws Exception {
        ScheduledJob defined = fixture.runner.schedules().define(RecurringJob.builder("weekly/digest report")
                .schedule("0 3 * * MON").job(JobData.of("flaky", "digest")).build());
        String path = "/schedules/weekly%2Fdigest%20report/trigger";
        assertThat(get("/schedules").body()).contains("action=\"" + path + "\"", "Trigger now");

        assertThat(post(path, "csrf=guessed").statusCode()).isEqualTo(403);
        HttpResponse<String> triggered = post(path, "csrf=" + csrfToken());
        assertThat(triggered.statusCode()).as(triggered.body()).isEqualTo(303);
        String location = triggered.headers().firstValue("Location").orElseThrow();
        assertThat(location).matches("/jobs/\\d+\\?done=triggered");
        long id = Long.parseLong(location.substring("/jobs/".length(), location.indexOf('?')));
        JobRequest job = fixture.runner.jobs().await(id, TIMEOUT).orElseThrow();
        assertThat(job.jobType()).isEqualTo("flaky");
        assertThat(job.attempts()).as("it ran, with the schedule's payload").isEqualTo(1);
        assertThat(job.lastError()).contains("the first attempt of digest always fails");
        assertThat(get(location).body()).contains("Dispatched now, outside its schedule");
        assertThat(fixture.runner.schedules().find("weekly/digest report").orElseThrow().nextRunAt())
                .isEqualTo(defined.nextRunAt());

        HttpResponse<String> viaApi = postApi("/api/schedules/weekly%2Fdigest%20report/trigger");
        assertThat(viaApi.statusCode()).isEqualTo(200);
        assertThat(json(viaApi).path("jobType").asText()).isEqualTo("flaky");
        HttpResponse<String> unknown = post("/schedules/hourly/trigger", "csrf=" + csrfToken());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("No recurring job named &#39;hourly&#39;");
    }

    @Test
    void aTypeNoLiveWorkerTakesIsMarkedAndTheWorkersPageListsWhoIsRegistered() throws Exception {
        fixture.store.insert(new NewJobRequest("nightly-export", null, "{}", null, null, 3, "database").forWorkers());
        fixture.runner.dispatchJob(JobData.of("steps", 0));  // in-process: its own runner runs it, never marked

        String overview = get("/").body();
        assertThat(overview).contains("No live worker takes <strong>nightly-export</strong> (database)",
                "<code>jobrunner worker</code>", "no worker</span>");
        assertThat(overview).doesNotContain("<strong>steps</strong>");
        assertThat(json(get("/api/overview")).path("unworkedTypes").path("nightly-export").asText()).isEqualTo("database");
        assertThat(get("/workers").body()).contains("No workers registered");

        fixture.store.registerWorker(JobWorker.registering("db-worker@7@box/1", "box", "database", null,
                Set.of("nightly-export"), Set.of(), 4));
        assertThat(get("/").body()).doesNotContain("No live worker takes").doesNotContain("no worker</span>");
        String workers = get("/workers").body();
        assertThat(workers).contains("<code>db-worker@7@box/1</code>", "nightly-export", "<tr class=\"live\">");
        JsonNode api = json(get("/api/workers"));
        assertThat(api.get(0).path("id").asText()).isEqualTo("db-worker@7@box/1");
        assertThat(api.get(0).path("live").asBoolean()).isTrue();
        assertThat(api.get(0).path("slots").asInt()).isEqualTo(4);
    }

    @Test
    void aWaitingJobLinksTheJobsItRunsAfterAndABatchMemberShowsItsBatchsProgress() throws Exception {
        JobRequest later = fixture.runner.dispatchJob(JobData.builder("flaky").payload("parent")
                .runAt(Instant.now().plus(Duration.ofHours(2))).build());
        JobRequest waiting = fixture.runner.dispatchJob(JobData.builder("flaky").payload("child").after(later.id()).build());
        io.jobrunner.JobBatch.Dispatched batch = fixture.runner.dispatchBatch(io.jobrunner.JobBatch.of(List.of(
                JobData.builder("flaky").payload("member").runAt(Instant.now().plus(Duration.ofHours(2))).build()))
                .onComplete(JobData.of("flaky", "callback")));

        String page = get("/jobs/" + waiting.id()).body();
        assertThat(page).contains("status-waiting", "<dt>Runs after</dt>", "href=\"/jobs/" + later.id() + "\"",
                "(when all succeeded; waiting for 1)");
        JsonNode api = json(get("/api/jobs/" + waiting.id()));
        assertThat(api.get("status").asText()).isEqualTo("waiting");
        assertThat(api.get("dependencies").get(0).asLong()).isEqualTo(later.id());
        assertThat(api.get("waitingOn").asInt()).isEqualTo(1);
        assertThat(get("/jobs?status=waiting").body()).contains("data-id=\"" + waiting.id() + "\"",
                "data-id=\"" + batch.callbacks().get(0).id() + "\"");
        assertThat(get("/jobs/" + batch.members().get(0).id()).body()).contains("<dt>Batch</dt>",
                "Batch " + batch.id() + ": 0 of 1 done");
        JsonNode member = json(get("/api/jobs/" + batch.members().get(0).id()));
        assertThat(member.get("batch").get("total").asInt()).isEqualTo(1);
        assertThat(member.get("batch").get("callbacks").get(0).asLong()).isEqualTo(batch.callbacks().get(0).id());
        assertThat(get("/").body()).contains("card-waiting");
    }

    @Test
    void aDelayedJobShowsWhenItRuns() throws Exception {
        JobRequest later = fixture.runner.dispatchJob(JobData.builder("flaky").payload("later")
                .runAt(Instant.now().plus(Duration.ofHours(2))).build());
        String list = get("/jobs?type=flaky&status=queued").body();
        assertThat(list).contains("<th>Runs</th>");
        int row = list.indexOf("data-id=\"" + later.id() + "\"");
        assertThat(row).isNotNegative();
        assertThat(list.substring(row, list.indexOf("</tr>", row))).contains("datetime=\"" + later.runAt() + "\"")
                .containsPattern(">in (1h|2h)<");
    }

    @Test
    void aRequestNamingAnotherHostIsRefusedSoRebindingDnsCannotReachALocalDashboard() throws IOException {
        int port = fixture.dashboard.uri().getPort();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/overview HTTP/1.1\r\nHost: attacker.example:" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).as("refused with what to do, not a sign-in that can never succeed")
                    .startsWith("HTTP/1.1 403").contains("attacker.example").contains("JOB_RUNNER_DASHBOARD_HOST")
                    .doesNotContain("WWW-Authenticate");
        }
    }

    @Test
    void anAddressOtherMachinesReachNeedsCredentialsAndTheyAreChecked() throws Exception {
        assertThatThrownBy(() -> JobDashboard.forRunner(fixture.runner).bind("0.0.0.0", 0).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("0.0.0.0").hasMessageContaining("JOB_RUNNER_DASHBOARD_TOKEN");
        assertThatThrownBy(() -> JobDashboard.forRunner(fixture.runner).token("short"))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("at least 16 characters");

        String token = "a-token-of-twenty-four!!";
        try (JobDashboard open = JobDashboard.forRunner(fixture.runner).bind("0.0.0.0", 0).token(token).start()) {
            URI overview = URI.create("http://127.0.0.1:" + open.uri().getPort() + "/api/overview");
            assertThat(send(overview, null).statusCode()).isEqualTo(401);
            assertThat(send(overview, "Bearer wrong-token-wrong-token").statusCode()).isEqualTo(401);
            assertThat(send(overview, "Bearer " + token).statusCode()).isEqualTo(200);
            String basic = Base64.getEncoder().encodeToString(("anyone:" + token).getBytes(StandardCharsets.UTF_8));
            assertThat(send(overview, "Basic " + basic).statusCode()).isEqualTo(200);
        }
        assertThatThrownBy(() -> JobDashboard.forRunner(fixture.runner).basicAuth("ops", "s3cret"))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("at least 16 characters");
        try (JobDashboard open = JobDashboard.forRunner(fixture.runner).bind("127.0.0.1", 0)
                .basicAuth("ops", "s3cret-s3cret-s3cret").start()) {
            URI overview = open.uri().resolve("/api/overview");
            String right = Base64.getEncoder().encodeToString("ops:s3cret-s3cret-s3cret".getBytes(StandardCharsets.UTF_8));
            String wrong = Base64.getEncoder().encodeToString("ops:guess".getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> refused = send(overview, "Basic " + wrong);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                    value -> assertThat(value).startsWith("Basic"));
            assertThat(send(overview, "Basic " + right).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void failedSignInsFromOneAddressAreRefusedForAWhile() throws Exception {
        String token = "a-token-of-twenty-four!!";
        try (JobDashboard open = JobDashboard.forRunner(fixture.runner).bind("127.0.0.1", 0).token(token).start()) {
            URI overview = open.uri().resolve("/api/overview");
            for (int i = 0; i < Access.MAX_FAILURES; i++) {
                assertThat(send(overview, "Bearer guess-number-" + i + "-guess").statusCode()).isEqualTo(401);
            }
            assertThat(send(overview, "Bearer " + token).statusCode()).as("even the right token, for a minute")
                    .isEqualTo(429);
        }
    }

    @Test
    void slowClientsCannotHoldTheDashboard() throws Exception {
        int port = fixture.dashboard.uri().getPort();
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < JobDashboard.THREADS + 4; i++) {
                Socket socket = new Socket("127.0.0.1", port);
                socket.getOutputStream().write("GET /api/overview HTTP/1.1\r\nHost: 127.0.0".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                slow.add(socket);
            }
            HttpResponse<String> answered = http.send(HttpRequest.newBuilder(fixture.dashboard.uri().resolve("/api/overview"))
                    .timeout(Duration.ofSeconds(JobDashboard.MAX_REQUEST_SECONDS * 3L)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answered.statusCode()).isEqualTo(200);
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    private HttpResponse<String> send(URI uri, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String csrfToken() throws Exception {
        Matcher meta = CSRF_META.matcher(get("/").body());
        assertThat(meta.find()).as("the page carries its CSRF token").isTrue();
        return meta.group(1);
    }

    private URI uri(String path) {
        return URI.create(fixture.url(path));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postApi(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("X-CSRF-Token", csrfToken())
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        return JSON.readTree(response.body());
    }
}

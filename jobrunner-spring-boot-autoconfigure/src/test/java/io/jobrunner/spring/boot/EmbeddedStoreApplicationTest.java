package io.jobrunner.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.JobContext;
import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRequests;
import io.jobrunner.JobRunner;
import io.jobrunner.JobStatus;
import io.jobrunner.RecurringJob;
import io.jobrunner.ScheduledJob;
import io.jobrunner.Setting;
import io.jobrunner.TaskHandler;
import io.jobrunner.dashboard.JobDashboard;
import io.jobrunner.testkit.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.env.MockEnvironment;

/** An application without a DataSource: the embedded store, handler beans, properties, recurring jobs, start-up failures. */
class EmbeddedStoreApplicationTest {

    @TempDir
    Path storeDir;

    private ApplicationContextRunner application() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(JobRunnerAutoConfiguration.class))
                .withPropertyValues("jobrunner.embedded-dir=" + storeDir, "jobrunner.runner=inprocess-async")
                .withUserConfiguration(Handlers.class);
    }

    /** A dependency the handler beans get injected. */
    static final class Greeter {
        String greet(String name) {
            return "hello " + name;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Handlers {
        final CopyOnWriteArrayList<String> tasksRun = new CopyOnWriteArrayList<>();
        final AtomicInteger recurringRuns = new AtomicInteger();

        @Bean
        Greeter greeter() {
            return new Greeter();
        }

        @Bean
        JobHandler<String> greet(Greeter greeter) {
            return JobHandler.of("greet", String.class, (name, context) -> greeter.greet(name));
        }

        @Bean
        TaskHandler<String> note() {
            return TaskHandler.of("note", String.class, tasksRun::add);
        }

        @Bean
        RecurringJob hourlyGreeting() {
            return RecurringJob.builder("hourly-greeting").schedule("0 0 * * * *").job(JobData.of("greet", "the hour")).build();
        }

        @Recurring(value = "every 1 second", name = "tick")
        public String tick(JobContext context) {
            recurringRuns.incrementAndGet();
            return "tick " + context.request().id();
        }
    }

    @Test
    void aHandlerBeanRunsWithItsDependencyAndTheRequestsBeanReadsTheStore() {
        application().run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(JobRunner.class).hasSingleBean(JobRequests.class);
            JobRunner runner = context.getBean(JobRunner.class);

            JobRequest request = runner.dispatchJob(JobData.of("greet", "ada"));

            JobRequest done = context.getBean(JobRequests.class).await(request.id(), Duration.ofSeconds(30)).orElseThrow();
            assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(done.result(String.class)).hasValue("hello ada");
            assertThat(context.getBean(JobRunnerStore.class).store().orElseThrow().description()).contains(storeDir.toString());

            runner.dispatchTask("note", "outside a transaction");
            Await.until("the task ran", Duration.ofSeconds(10),
                    () -> context.getBean(Handlers.class).tasksRun.contains("outside a transaction"));
        });
    }

    @Test
    void recurringJobBeansAndRecurringMethodsAreDefinedAndTheMethodRunsAsAJob() {
        application().run(context -> {
            JobRunner runner = context.getBean(JobRunner.class);
            Await.until("the schedules are defined by the background start", Duration.ofSeconds(30),
                    () -> runner.schedules().list().size() == 2);
            assertThat(runner.schedules().list()).extracting(ScheduledJob::name).contains("hourly-greeting", "tick");

            Await.until("the @Recurring method ran as a job", Duration.ofSeconds(30),
                    () -> context.getBean(Handlers.class).recurringRuns.get() >= 1);
            JobRequest tick = Await.value("a succeeded tick", Duration.ofSeconds(30),
                    () -> runner.jobs().list(io.jobrunner.JobQuery.all().withJobType("tick").withStatus(JobStatus.SUCCEEDED))
                            .stream().findFirst().orElse(null), found -> found != null);
            assertThat(tick.result(String.class)).hasValue("tick " + tick.id());
        });
    }

    @Test
    void propertiesSetTheSettingsOverTheEnvironmentVariablesWhichFillWhatNoPropertySets() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("jobrunner.concurrency", "3")
                .withProperty("jobrunner.sqs.queue-url", "http://queue")
                .withProperty("jobrunner.worker.types", "a,b");

        Map<String, String> settings = SettingProperties.resolve(environment,
                Map.of("JOB_RUNNER_CONCURRENCY", "9", "JOB_RUNNER_LEASE_TIME", "2m"));

        assertThat(settings).containsEntry("JOB_RUNNER_CONCURRENCY", "3")
                .containsEntry("JOB_RUNNER_SQS_QUEUE_URL", "http://queue")
                .containsEntry("JOB_RUNNER_WORKER_TYPES", "a,b")
                .containsEntry("JOB_RUNNER_LEASE_TIME", "2m");
        application().withPropertyValues("jobrunner.concurrency=3").run(context ->
                assertThat(context.getBean(TransactionalJobRunner.class).config().settings().integer(Setting.CONCURRENCY))
                        .isEqualTo(3));
    }

    @Test
    void everySettingAnApplicationSetsHasOnePropertyAndTheTestOnlyOnesHaveNone() {
        assertThat(SettingProperties.property(Setting.RUNNER)).hasValue("jobrunner.runner");
        assertThat(SettingProperties.property(Setting.DATABASE_URL)).hasValue("jobrunner.database-url");
        assertThat(SettingProperties.property(Setting.SQS_QUEUE_URL)).hasValue("jobrunner.sqs.queue-url");
        assertThat(SettingProperties.property(Setting.DASHBOARD_PORT)).hasValue("jobrunner.dashboard.port");
        assertThat(SettingProperties.property(Setting.RETENTION_SUCCEEDED)).hasValue("jobrunner.retention-succeeded");
        assertThat(SettingProperties.property(Setting.TEST_DATABASE_URL)).isEmpty();
        assertThat(SettingProperties.settings().stream().map(setting -> SettingProperties.property(setting).orElseThrow())
                .distinct().count()).as("no two settings share a property").isEqualTo(SettingProperties.settings().size());
        for (Setting setting : SettingProperties.settings()) {
            assertThat(SettingProperties.settingOf(SettingProperties.property(setting).orElseThrow())).hasValue(setting);
        }
    }

    @Test
    void withoutABackgroundStartTheContextsStartBuildsTheRunnerAndDefinesTheSchedules() {
        application().withPropertyValues("jobrunner.background-start=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(JobRunner.class).schedules().list()).extracting(ScheduledJob::name)
                    .containsExactlyInAnyOrder("hourly-greeting", "tick");
        });
    }

    @Test
    void aStoreThatCannotBeOpenedFailsTheStartOnlyWithoutABackgroundStart() throws Exception {
        Path notADirectory = java.nio.file.Files.writeString(storeDir.resolve("a-file"), "not a store");
        application().withPropertyValues("jobrunner.embedded-dir=" + notADirectory, "jobrunner.background-start=false")
                .run(context -> assertThat(context).hasFailed());
        application().withPropertyValues("jobrunner.embedded-dir=" + notADirectory).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> context.getBean(JobRunner.class)
                    .dispatchJob(JobData.of("greet", "x")))).as("the dispatch tries the build again and says why")
                    .isNotNull();
        });
    }

    @Test
    void aBadPropertyStopsTheContextNamingThePropertyAndItsValue() {
        application().withPropertyValues("jobrunner.concurrency=lots").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().isInstanceOf(io.jobrunner.InvalidSettingException.class);
            Throwable named = context.getStartupFailure();
            while (named != null && !(named instanceof InvalidJobRunnerPropertyException)) {
                named = named.getCause();
            }
            assertThat(named).isNotNull();
            assertThat(named.getMessage()).contains("property jobrunner.concurrency", "'lots'");
            assertThat(new InvalidJobRunnerPropertyFailureAnalyzer().analyze(context.getStartupFailure()).getAction())
                    .contains("Change property jobrunner.concurrency");
        });
    }

    @Test
    void aRunnerLackingASettingStopsTheContextNamingTheProperty() {
        application().withPropertyValues("jobrunner.runner=sqs", "jobrunner.allow-embedded-store=true").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("jobrunner.sqs.queue-url");
        });
    }

    @Test
    void aWorkerForARunnerWithoutWorkersIsRefusedNamingTheProperties() {
        application().withPropertyValues("jobrunner.worker.enabled=true").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("jobrunner.worker.enabled=true, but runner "
                    + "'inprocess-async' has no workers");
        });
    }

    @Test
    void theDashboardIsServedOnItsOwnPortWhenEnabledAndNotOtherwise() {
        ApplicationContextRunner withDashboard = application()
                .withConfiguration(AutoConfigurations.of(JobDashboardAutoConfiguration.class));
        withDashboard.withPropertyValues("jobrunner.dashboard.enabled=true", "jobrunner.dashboard.port=0").run(context -> {
            JobRequest request = context.getBean(JobRunner.class).dispatchJob(JobData.of("greet", "the dashboard"));
            context.getBean(JobRunner.class).awaitCompletion(request.id(), Duration.ofSeconds(30));
            URI jobs = context.getBean(JobDashboard.class).uri().resolve("jobs");
            HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(jobs).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("greet");
        });
        withDashboard.run(context -> assertThat(context).doesNotHaveBean(JobDashboard.class));
    }

    /** A service that dispatches the job its own handler bean carries out: the handler depends on it, it on the runner. */
    static final class Mailer {
        final JobRunner jobRunner;
        final CopyOnWriteArrayList<String> sent = new CopyOnWriteArrayList<>();

        Mailer(JobRunner jobRunner) {
            this.jobRunner = jobRunner;
        }

        JobRequest requestMail(String to) {
            return jobRunner.dispatchJob(JobData.of("mail", to));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ServiceAndItsHandler {
        @Bean
        Mailer mailer(JobRunner jobRunner, JobRequests jobRequests) {
            return new Mailer(jobRunner);
        }

        @Bean
        JobHandler<String> mail(Mailer mailer) {
            return JobHandler.of("mail", String.class, (to, context) -> mailer.sent.add(to));
        }
    }

    @Test
    void aHandlerBeanMayDependOnAServiceThatUsesTheRunner() {
        application().withUserConfiguration(ServiceAndItsHandler.class).run(context -> {
            assertThat(context).hasNotFailed();
            Mailer mailer = context.getBean(Mailer.class);
            JobRequest mail = mailer.requestMail("ada@example.com");
            assertThat(context.getBean(JobRequests.class).await(mail.id(), Duration.ofSeconds(30)).orElseThrow().status())
                    .isEqualTo(JobStatus.SUCCEEDED);
            assertThat(mailer.sent).containsExactly("ada@example.com");
        });
    }

    @Test
    void withJobrunnerEnabledFalseThereIsNoRunner() {
        application().withPropertyValues("jobrunner.enabled=false").run(context ->
                assertThat(context).hasNotFailed().doesNotHaveBean(JobRunner.class));
    }
}

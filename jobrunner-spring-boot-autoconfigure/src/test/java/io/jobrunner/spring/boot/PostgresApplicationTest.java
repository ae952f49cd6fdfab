package io.jobrunner.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobStatus;
import io.jobrunner.TaskHandler;
import io.jobrunner.local.LocalSqs;
import io.jobrunner.testkit.Await;
import io.jobrunner.testkit.PostgresFixture;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * An application with a PostgreSQL DataSource: the store is the application's data source, jobs
 * dispatched in a Spring transaction commit or roll back with it and are handed off only after the
 * commit (in process, to a database worker, to SQS), workers start by property, and the health
 * indicator and meters report.
 */
class PostgresApplicationTest {

    private static PostgresFixture postgres;

    @BeforeAll
    static void createSchema() {
        postgres = PostgresFixture.forTestClass(PostgresApplicationTest.class);
    }

    @AfterAll
    static void dropSchema() {
        postgres.close();
    }

    @BeforeEach
    void emptyTables() {
        postgres.execute("CREATE TABLE IF NOT EXISTS app_order (id bigserial PRIMARY KEY, item text NOT NULL)");
        postgres.execute("TRUNCATE app_order");
        postgres.execute("DO $$ BEGIN IF to_regclass('job_request') IS NOT NULL THEN TRUNCATE job_request CASCADE; END IF; END $$");
    }

    /** What the handlers saw: runs per job id, and the tasks run. */
    static final class Runs {
        final Map<Long, AtomicInteger> byJob = new ConcurrentHashMap<>();
        final List<String> tasks = new CopyOnWriteArrayList<>();

        int of(long id) {
            AtomicInteger runs = byJob.get(id);
            return runs == null ? 0 : runs.get();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class App {
        @Bean
        Runs runs() {
            return new Runs();
        }

        @Bean
        JobHandler<String> ship(Runs runs) {
            return JobHandler.of("ship", String.class, (item, context) -> {
                runs.byJob.computeIfAbsent(context.request().id(), id -> new AtomicInteger()).incrementAndGet();
                return "shipped " + item;
            });
        }

        @Bean
        TaskHandler<String> mail(Runs runs) {
            return TaskHandler.of("mail", String.class, runs.tasks::add);
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    private static ApplicationContextRunner application(String... properties) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
                        JobRunnerAutoConfiguration.class, JobRunnerHealthAutoConfiguration.class,
                        JobRunnerMetricsAutoConfiguration.class))
                .withUserConfiguration(App.class)
                .withPropertyValues("spring.datasource.url=" + postgres.jdbcUrl(), "jobrunner.health.max-wait=1h")
                .withPropertyValues(properties);
    }

    /** Stores an order and dispatches its job in one transaction; throws after both when {@code fail}. */
    private static JobRequest orderAndShip(TransactionTemplate transactions, JobRunner runner, String item, boolean fail) {
        return transactions.execute(status -> {
            postgres.execute("SELECT 1");  // (the fixture's own connection: not part of the transaction)
            JobRequest request = runner.dispatchJob(JobData.of("ship", item));
            runner.dispatchTask("mail", "order of " + item);
            if (fail) {
                throw new IllegalStateException("the order of " + item + " failed after its job was dispatched");
            }
            return request;
        });
    }

    private static long jobRows() throws Exception {
        try (var connection = postgres.connect(); var rs = connection.createStatement().executeQuery("SELECT count(*) FROM job_request")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void theStoreIsTheApplicationsDataSourceAndAJobCommitsOrRollsBackWithTheTransaction() {
        application("jobrunner.runner=inprocess-async").run(context -> {
            assertThat(context).hasNotFailed();
            JobRunnerStore store = context.getBean(JobRunnerStore.class);
            assertThat(store.applicationDataSource()).as("no second pool").isSameAs(context.getBean(DataSource.class));
            assertThat(store.toString()).contains("the application's data source");
            JobRunner runner = context.getBean(JobRunner.class);
            TransactionTemplate transactions = context.getBean(TransactionTemplate.class);
            Runs runs = context.getBean(Runs.class);

            assertThatThrownBy(() -> orderAndShip(transactions, runner, "a lamp", true)).hasMessageContaining("failed");
            assertThat(jobRows()).as("rolled back: no request").isZero();

            JobRequest shipped = orderAndShip(transactions, runner, "a chair", false);
            JobRequest done = runner.jobs().await(shipped.id(), Duration.ofSeconds(30)).orElseThrow();
            assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(done.result(String.class)).hasValue("shipped a chair");
            Await.until("the task dispatched in the transaction ran after the commit", Duration.ofSeconds(10),
                    () -> runs.tasks.contains("order of a chair"));
            Await.holdsFor("each job ran once, the rolled-back one's task never", Duration.ofMillis(300),
                    () -> runs.of(shipped.id()) == 1 && !runs.tasks.contains("order of a lamp"));
            assertThat(jobRows()).isEqualTo(1);
        });
    }

    @Test
    void aJobIsHandedOffOnlyAfterTheCommit() {
        application("jobrunner.runner=inprocess-async").run(context -> {
            JobRunner runner = context.getBean(JobRunner.class);
            Runs runs = context.getBean(Runs.class);
            JobRequest shipped = context.getBean(TransactionTemplate.class).execute(status -> {
                JobRequest request = runner.dispatchJob(JobData.of("ship", "a desk"));
                Await.holdsFor("not run while the transaction is open", Duration.ofMillis(500), () -> runs.of(request.id()) == 0);
                return request;
            });
            assertThat(runner.jobs().await(shipped.id(), Duration.ofSeconds(30)).orElseThrow().status())
                    .isEqualTo(JobStatus.SUCCEEDED);
        });
    }

    @Test
    void withTheWorkerEnabledADatabaseRunnersJobsRunOnTheWorkerThisApplicationStarted() {
        application("jobrunner.runner=database", "jobrunner.worker.enabled=true").run(context -> {
            assertThat(context).hasNotFailed();
            JobRunner runner = context.getBean(JobRunner.class);
            JobRequest shipped = orderAndShip(context.getBean(TransactionTemplate.class), runner, "a rug", false);
            JobRequest done = runner.jobs().await(shipped.id(), Duration.ofSeconds(30)).orElseThrow();
            assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(done.history()).singleElement().satisfies(attempt -> assertThat(attempt.worker()).contains("db-worker"));
            assertThat(runner.jobs().workers()).as("the worker registered itself").isNotEmpty();
            assertThat(keepAliveThreads()).as("a non-daemon thread keeps a process without a web server alive").hasSize(1);
        });
        Await.until("the keep-alive thread ends with the context", Duration.ofSeconds(5), () -> keepAliveThreads().isEmpty());
        application("jobrunner.runner=database").run(context -> {
            JobRunner runner = context.getBean(JobRunner.class);
            JobRequest waiting = runner.dispatchJob(JobData.of("ship", "a vase"));
            Await.holdsFor("no worker in this application: the job waits", Duration.ofMillis(800),
                    () -> runner.jobs().find(waiting.id()).orElseThrow().status() == JobStatus.QUEUED);
        });
    }

    @Test
    void onSqsARolledBackJobSendsNoMessageAndACommittedOneIsSentAfterTheCommitAndRunsOnce() throws Exception {
        try (LocalSqs sqs = LocalSqs.start(); SqsClient client = sqs.client()) {
            String queue = sqs.createQueue("spring", 30, 5).url();
            application("jobrunner.runner=sqs", "jobrunner.sqs.queue-url=" + queue, "jobrunner.sqs.wait-time=1s")
                    .withBean(SqsClient.class, () -> sqs.client(new ExecutionInterceptor() { }, 10))
                    .run(context -> {
                        assertThat(context).hasNotFailed();
                        JobRunner runner = context.getBean(JobRunner.class);
                        TransactionTemplate transactions = context.getBean(TransactionTemplate.class);

                        assertThatThrownBy(() -> orderAndShip(transactions, runner, "a lamp", true)).hasMessageContaining("failed");
                        assertThat(jobRows()).isZero();
                        Await.holdsFor("no message for the rolled-back job", Duration.ofMillis(500),
                                () -> messagesIn(client, queue) == 0);

                        JobRequest shipped = orderAndShip(transactions, runner, "a chair", false);
                        Await.until("the job's and the task's messages were sent after the commit", Duration.ofSeconds(10),
                                () -> messagesIn(client, queue) == 2);
                        assertThat(runner.jobs().find(shipped.id()).orElseThrow().status()).as("no worker yet")
                                .isEqualTo(JobStatus.QUEUED);
                    });
            application("jobrunner.runner=sqs", "jobrunner.sqs.queue-url=" + queue, "jobrunner.sqs.wait-time=1s",
                    "jobrunner.worker.enabled=true")
                    .withBean(SqsClient.class, () -> sqs.client(new ExecutionInterceptor() { }, 10))
                    .run(context -> {
                        JobRunner runner = context.getBean(JobRunner.class);
                        JobRequest shipped = runner.jobs().list(JobQuery.all().withJobType("ship")).get(0);
                        JobRequest done = runner.jobs().await(shipped.id(), Duration.ofSeconds(30)).orElseThrow();
                        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
                        Runs runs = context.getBean(Runs.class);
                        Await.until("the task ran", Duration.ofSeconds(10), () -> runs.tasks.contains("order of a chair"));
                        Await.holdsFor("the job ran once, the rolled-back one's task never", Duration.ofMillis(500),
                                () -> runs.of(shipped.id()) == 1 && !runs.tasks.contains("order of a lamp"));
                        Await.until("the messages were deleted", Duration.ofSeconds(10), () -> messagesIn(client, queue) == 0);
                    });
        }
    }

    private static List<Thread> keepAliveThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("jobrunner-worker-keep-alive") && !thread.isDaemon()).toList();
    }

    private static int messagesIn(SqsClient client, String queue) {
        Map<QueueAttributeName, String> attributes = client.getQueueAttributes(b -> b.queueUrl(queue).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    @Test
    void theHealthIndicatorReportsTheStoreAndBacklogAndTheMetersGoToTheApplicationsRegistry() {
        application("jobrunner.runner=database", "jobrunner.health.max-queued=2").run(context -> {
            JobRunner runner = context.getBean(JobRunner.class);
            JobRunnerHealthIndicator health = context.getBean(JobRunnerHealthIndicator.class);
            Health up = health.health();
            assertThat(up.getStatus()).isEqualTo(Status.UP);
            assertThat(up.getDetails()).containsEntry("runner", "database").containsEntry("queued", 0L);

            for (int i = 0; i < 3; i++) {
                runner.dispatchJob(JobData.of("ship", "box " + i));  // no worker: they stay queued
            }

            Health down = health.health();
            assertThat(down.getStatus()).isEqualTo(Status.DOWN);
            assertThat(down.getDetails()).containsEntry("queued", 3L);
            assertThat(down.getDetails().get("problem").toString()).contains("jobrunner.health.max-queued");
            assertThat(context.getBean(MeterRegistry.class).get("jobrunner.jobs.dispatched").tag("type", "ship").counter()
                    .count()).isEqualTo(3.0);
        });
    }

    @Test
    void closingTheContextLetsARunningJobFinish() {
        CopyOnWriteArrayList<String> finished = new CopyOnWriteArrayList<>();
        JobRequest[] slow = new JobRequest[1];
        application("jobrunner.runner=inprocess-async")
                .withBean("slow", JobHandler.class, () -> JobHandler.of("slow", String.class, (text, jobContext) -> {
                    Thread.sleep(800);
                    finished.add(text);
                    return null;
                }))
                .run(context -> {
                    JobRunner runner = context.getBean(JobRunner.class);
                    slow[0] = runner.dispatchJob(JobData.of("slow", "the last one"));
                    Await.until("the slow job started", Duration.ofSeconds(10),
                            () -> runner.jobs().find(slow[0].id()).orElseThrow().status() == JobStatus.RUNNING);
                });  // the context closes here
        assertThat(finished).containsExactly("the last one");
        try (var connection = postgres.connect(); var rs = connection.createStatement()
                .executeQuery("SELECT status FROM job_request WHERE id = " + slow[0].id())) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("succeeded");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}

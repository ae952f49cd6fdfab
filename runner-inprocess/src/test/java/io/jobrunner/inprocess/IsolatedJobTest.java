package io.jobrunner.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobrunner.HandlerRegistrationException;
import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobContext;
import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import io.jobrunner.JobLogLine;
import io.jobrunner.JobPolicy;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.JobStatus;
import io.jobrunner.spi.store.JobRequestStore;
import io.jobrunner.store.EmbeddedJobRequestStore;
import io.jobrunner.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Isolated jobs on an {@code inprocess-async} runner over the embedded store, with real child JVMs:
 * the job runs in another process and its result, progress and log lines come back; an
 * {@code OutOfMemoryError} or an exit there fails the attempt while the worker goes on; a timeout and
 * a cancellation end the child; a child is reused for the next job.
 */
class IsolatedJobTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private JobRequestStore store;
    private JobRunner runner;

    @BeforeEach
    void open() {
        store = EmbeddedJobRequestStore.openDirectory(dir);
        runner = JobRunners.builder().environment(Map.of("JOB_RUNNER", "inprocess-async", "JOB_RUNNER_ISOLATED_JVMS", "2"))
                .handlers(HandlerRegistry.builder().job(new Pid()).job(new Hog()).job(new Exits()).job(new Sleeps())
                        .job(new Throws()).job(new SleepsUntilTimeout()).build())
                .store(store).build();
    }

    @AfterEach
    void close() {
        runner.close();
        store.close();
    }

    private JobRequest finished(JobRequest dispatched) {
        return runner.jobs().await(dispatched.id(), TIMEOUT).orElseThrow();
    }

    /** Job "isolated-pid": reports progress and a log line, returns the pid of the JVM it ran in. */
    public static final class Pid implements JobHandler<String> {
        @Override
        public String type() {
            return "isolated-pid";
        }

        @Override
        public Class<String> payloadType() {
            return String.class;
        }

        @Override
        public JobPolicy policy() {
            return JobPolicy.builder().isolated("64m").build();
        }

        @Override
        public Object run(String greeting, JobContext context) {
            context.progress(40, "halfway " + greeting);
            context.log(JobLogLine.Level.WARN, "from the child, attempt " + context.attempt() + " of job "
                    + context.request().id());
            return Map.of("pid", ProcessHandle.current().pid(), "greeting", greeting);
        }
    }

    /** Job "isolated-hog": keeps every array it makes until its heap runs out. */
    public static final class Hog implements JobHandler<Integer> {
        @Override
        public String type() {
            return "isolated-hog";
        }

        @Override
        public Class<Integer> payloadType() {
            return Integer.class;
        }

        @Override
        public JobPolicy policy() {
            return JobPolicy.builder().isolated("32m").build();
        }

        @Override
        public Object run(Integer megabytes, JobContext context) {
            List<byte[]> kept = new ArrayList<>();
            for (int i = 0; i < megabytes; i++) {
                kept.add(new byte[1024 * 1024]);
            }
            return kept.size();
        }
    }

    /** Job "isolated-exit": ends its JVM with the code it is given. */
    public static final class Exits implements JobHandler<Integer> {
        @Override
        public String type() {
            return "isolated-exit";
        }

        @Override
        public Class<Integer> payloadType() {
            return Integer.class;
        }

        @Override
        public JobPolicy policy() {
            return JobPolicy.builder().isolated().build();
        }

        @Override
        public Object run(Integer code, JobContext context) {
            System.exit(code);
            return null;
        }
    }

    /** Job "isolated-sleep": reports its pid as progress, then sleeps for minutes. */
    public static class Sleeps implements JobHandler<String> {
        @Override
        public String type() {
            return "isolated-sleep";
        }

        @Override
        public Class<String> payloadType() {
            return String.class;
        }

        @Override
        public JobPolicy policy() {
            return JobPolicy.builder().isolated("64m").build();
        }

        @Override
        public Object run(String key, JobContext context) throws InterruptedException {
            context.progress(1, "pid " + ProcessHandle.current().pid());
            Thread.sleep(Duration.ofMinutes(5).toMillis());
            return "woke";
        }
    }

    /** Job "isolated-timeout": as {@link Sleeps}, with a 1 s timeout. */
    public static final class SleepsUntilTimeout extends Sleeps {
        @Override
        public String type() {
            return "isolated-timeout";
        }

        @Override
        public JobPolicy policy() {
            return JobPolicy.builder().isolated("64m").timeout(Duration.ofSeconds(1)).build();
        }
    }

    /** Job "isolated-throws": throws an IllegalStateException naming its payload. */
    public static final class Throws implements JobHandler<String> {
        @Override
        public String type() {
            return "isolated-throws";
        }

        @Override
        public Class<String> payloadType() {
            return String.class;
        }

        @Override
        public JobPolicy policy() {
            return JobPolicy.builder().isolated("64m").build();
        }

        @Override
        public Object run(String what, JobContext context) {
            throw new IllegalStateException("refused " + what);
        }
    }

    @Test
    void aJobRunsInAChildJvmWhoseResultProgressAndLogComeBackAndTheChildIsReused() throws Exception {
        JobRequest first = finished(runner.dispatchJob(JobData.of("isolated-pid", "hello")));
        assertThat(first.status()).as(first.toString()).isEqualTo(JobStatus.SUCCEEDED);
        long childPid = first.result(Map.class).map(result -> ((Number) result.get("pid")).longValue()).orElseThrow();
        assertThat(childPid).as("another process").isNotEqualTo(ProcessHandle.current().pid());
        assertThat(first.resultJson()).contains("\"greeting\":\"hello\"");
        assertThat(first.progress()).isEqualTo(100);
        assertThat(runner.jobs().log(first.id()).lines()).extracting(JobLogLine::message)
                .contains("from the child, attempt 1 of job " + first.id());

        JobRequest second = finished(runner.dispatchJob(JobData.of("isolated-pid", "again")));
        assertThat(second.result(Map.class).map(result -> ((Number) result.get("pid")).longValue()))
                .as("the idle child takes the next job").contains(childPid);
    }

    @Test
    void anOutOfMemoryErrorOrAnExitInTheChildFailsTheAttemptAndTheWorkerGoesOn() {
        JobRequest hog = finished(runner.dispatchJob(JobData.of("isolated-hog", 200)));
        assertThat(hog.status()).isEqualTo(JobStatus.FAILED);
        assertThat(hog.lastError()).contains("ran out of memory", "-Xmx32m");

        JobRequest exits = finished(runner.dispatchJob(JobData.of("isolated-exit", 7)));
        assertThat(exits.status()).isEqualTo(JobStatus.FAILED);
        assertThat(exits.lastError()).contains("exited with code 7");

        JobRequest thrown = finished(runner.dispatchJob(JobData.of("isolated-throws", "this")));
        assertThat(thrown.status()).isEqualTo(JobStatus.FAILED);
        assertThat(thrown.lastError()).contains("IllegalStateException: refused this", "thrown in the isolated JVM");

        assertThat(finished(runner.dispatchJob(JobData.of("isolated-pid", "still here"))).status())
                .as("the worker runs the next job").isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void aTimeoutOrACancellationEndsTheChild() {
        JobRequest timed = runner.dispatchJob(JobData.of("isolated-timeout", "t"));
        long timedPid = childPid(timed);
        JobRequest timedOut = finished(timed);
        assertThat(timedOut.status()).isEqualTo(JobStatus.FAILED);
        assertThat(timedOut.history().get(0).outcome().dbValue()).isEqualTo("timed_out");
        Await.until("the timed-out job's JVM is gone", Duration.ofSeconds(10), () -> !alive(timedPid));

        JobRequest sleeping = runner.dispatchJob(JobData.of("isolated-sleep", "c"));
        long sleepingPid = childPid(sleeping);
        runner.jobs().cancel(sleeping.id());
        assertThat(finished(sleeping).status()).isEqualTo(JobStatus.CANCELLED);
        Await.until("the cancelled job's JVM is gone", Duration.ofSeconds(10), () -> !alive(sleepingPid));
    }

    @Test
    void anIsolatedHandlerTheChildCannotCreateIsRefusedAtRegistration() {
        JobHandler<String> lambda = JobHandler.of("isolated-lambda", String.class, (payload, context) -> payload);
        JobHandler<String> isolatedLambda = new JobHandler<>() {
            @Override
            public String type() {
                return "isolated-anonymous";
            }

            @Override
            public Class<String> payloadType() {
                return String.class;
            }

            @Override
            public JobPolicy policy() {
                return JobPolicy.builder().isolated().build();
            }

            @Override
            public Object run(String payload, JobContext context) {
                return lambda;
            }
        };
        assertThatThrownBy(() -> HandlerRegistry.builder().job(isolatedLambda))
                .isInstanceOf(HandlerRegistrationException.class)
                .hasMessageContaining("isolated-anonymous").hasMessageContaining("public no-argument constructor");
        assertThatThrownBy(() -> JobPolicy.builder().isolated("lots"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got lots");
    }

    /** The pid the job reports as its progress message once its child runs it. */
    private long childPid(JobRequest dispatched) {
        String message = Await.value("job " + dispatched.id() + " reports its pid", TIMEOUT,
                () -> runner.jobs().find(dispatched.id()).orElseThrow().resultMessage(),
                text -> text != null && text.startsWith("pid "));
        return Long.parseLong(message.substring(4));
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}

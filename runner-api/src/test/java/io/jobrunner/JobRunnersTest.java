package io.jobrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobRunnersTest {

    record Report(String title) {
    }

    @TempDir
    Path directory;

    private JobRunner build(ClassLoader loader, Map<String, String> env) {
        return JobRunners.builder().environment(env).classLoader(loader).handlers(HandlerRegistry.empty()).build();
    }

    @Test
    void withNoProviderOnTheClassPathTheErrorSaysToAddARunnerModule() {
        ClassLoader none = FakeProviders.listing(directory);
        assertThatThrownBy(() -> build(none, Map.of()))
                .isInstanceOf(UnknownRunnerException.class)
                .hasMessageContaining("JOB_RUNNER='inprocess-async'")
                .hasMessageContaining("available: none")
                .hasMessageContaining("runner-inprocess");
    }

    @Test
    void withOneProviderItsNameAndItsAliasSelectIt() {
        ClassLoader one = FakeProviders.listing(directory, FakeProviders.Alpha.class);
        try (JobRunner byName = build(one, Map.of("JOB_RUNNER", "alpha"));
             JobRunner byAlias = build(one, Map.of("JOB_RUNNER", " a "))) {
            assertThat(byName.name()).isEqualTo("alpha");
            assertThat(byAlias.name()).isEqualTo("alpha");
        }
    }

    @Test
    void anUnknownNameListsTheNamesAvailable() {
        ClassLoader loader = FakeProviders.listing(directory, FakeProviders.Alpha.class, FakeProviders.Picky.class);
        assertThatThrownBy(() -> build(loader, Map.of("JOB_RUNNER", "kafka")))
                .isInstanceOf(UnknownRunnerException.class)
                .hasMessageContaining("'kafka'")
                .hasMessageContaining("a, alpha, picky")
                .satisfies(e -> assertThat(((UnknownRunnerException) e).available()).containsExactlyInAnyOrder("a", "alpha", "picky"));
    }

    @Test
    void twoProvidersClaimingOneNameAreNamedBoth() {
        ClassLoader two = FakeProviders.listing(directory, FakeProviders.Alpha.class, FakeProviders.AlphaTwin.class);
        assertThatThrownBy(() -> build(two, Map.of("JOB_RUNNER", "alpha")))
                .isInstanceOf(AmbiguousRunnerException.class)
                .hasMessageContaining(FakeProviders.Alpha.class.getName())
                .hasMessageContaining(FakeProviders.AlphaTwin.class.getName());
    }

    @Test
    void twoProvidersWithDifferentNamesAreBothSelectable() {
        ClassLoader two = FakeProviders.listing(directory, FakeProviders.Alpha.class, FakeProviders.Picky.class);
        try (JobRunner picky = build(two, Map.of("JOB_RUNNER", "picky", "PICKY_QUEUE_URL", "q", "PICKY_REGION", "r"))) {
            assertThat(picky.name()).isEqualTo("picky");
        }
    }

    @Test
    void aRunnerNotFullyConfiguredNamesEveryMissingVariableAndNeverFallsBack() {
        ClassLoader loader = FakeProviders.listing(directory, FakeProviders.Alpha.class, FakeProviders.Picky.class);
        assertThatThrownBy(() -> build(loader, Map.of("JOB_RUNNER", "picky", "PICKY_REGION", "  ")))
                .isInstanceOf(RunnerNotConfiguredException.class)
                .hasMessageContaining("'picky' is not fully configured")
                .hasMessageContaining("PICKY_QUEUE_URL: set it")
                .hasMessageContaining("PICKY_REGION: set it")
                .satisfies(e -> assertThat(((RunnerNotConfiguredException) e).missing()).hasSize(2));
    }

    @Test
    void anInvalidCommonSettingNamesTheVariableAndTheValue() {
        ClassLoader loader = FakeProviders.listing(directory, FakeProviders.Alpha.class);
        assertThatThrownBy(() -> build(loader, Map.of("JOB_RUNNER", "alpha", "JOB_RUNNER_MAX_ATTEMPTS", "zero")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("JOB_RUNNER_MAX_ATTEMPTS='zero'")
                .hasMessageContaining("whole number of at least 1");
    }

    @Test
    void withoutAStoreOnTheClassPathJobDispatchSaysWhatToAdd() {
        ClassLoader loader = FakeProviders.listing(directory, FakeProviders.Alpha.class);
        try (JobRunner runner = build(loader, Map.of("JOB_RUNNER", "alpha"))) {
            assertThatThrownBy(() -> runner.jobs().find(1))
                    .isInstanceOf(JobStoreException.class)
                    .hasMessageContaining("io.jobrunner:job-request-store");
        }
    }

    @Test
    void aProducerWithNoHandlersSkipsNameChecksButStillChecksPayloads() {
        ClassLoader loader = FakeProviders.listing(directory, FakeProviders.Alpha.class);
        try (JobRunner runner = build(loader, Map.of("JOB_RUNNER", "alpha", "JOB_RUNNER_MAX_TASK_PAYLOAD_BYTES", "10"))) {
            runner.dispatchTask("anything", "ok");
            assertThatThrownBy(() -> runner.dispatchTask("anything", "far too long for ten bytes"))
                    .isInstanceOf(PayloadTooLargeException.class);
        }
    }

    @Test
    void builderCallsOverrideTheEnvironmentAndReachTheRunnerThroughOneConfig() {
        ClassLoader loader = FakeProviders.listing(directory, FakeProviders.Alpha.class, FakeProviders.Picky.class);
        HandlerRegistry handlers = HandlerRegistry.empty();
        PayloadCodec codec = PayloadCodec.lenient();
        StringBuilder appClient = new StringBuilder("the application's client");
        JobRunnerConfig config = JobRunners.builder()
                .environment(Map.of("JOB_RUNNER", "picky", "JOB_RUNNER_MAX_ATTEMPTS", "9", "JOB_RUNNER_LEASE_TIME", "2m"))
                .classLoader(loader)
                .runner("alpha")
                .maxAttempts(5)
                .leaseTime(Duration.ofSeconds(7))
                .setting("JOB_RUNNER_MAX_TASK_PAYLOAD_BYTES", "2048")
                .handlers(handlers)
                .codec(codec)
                .client(StringBuilder.class, appClient)
                .config();

        assertThat(config.runner()).isEqualTo("alpha");
        assertThat(config.maxAttempts()).isEqualTo(5);
        assertThat(config.leaseTime()).isEqualTo(Duration.ofSeconds(7));
        assertThat(config.maxTaskPayloadBytes()).isEqualTo(2048);
        assertThat(config.client(StringBuilder.class)).containsSame(appClient);
        assertThat(config.client(String.class)).isEmpty();
        assertThat(config.handlers()).isSameAs(handlers);
        assertThat(config.codec()).isSameAs(codec);
        try (JobRunner runner = config.newRunner()) {
            FakeProviders.RecordingRunner recording = (FakeProviders.RecordingRunner) runner;
            assertThat(recording.name()).isEqualTo("alpha");
            assertThat(recording.context.config()).as("the provider is given this very config").isSameAs(config);
        }
    }

    @Test
    void anInvalidValueIsRefusedWhenTheConfigIsBuiltBeforeAnyRunnerExists() {
        assertThatThrownBy(() -> JobRunners.builder().environment(Map.of()).setting("JOB_RUNNER_LEASE_TIME", "soon").config())
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("JOB_RUNNER_LEASE_TIME='soon'")
                .hasMessageContaining("positive duration");
        assertThatThrownBy(() -> JobRunners.builder().environment(Map.of()).maxAttempts(0).config())
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("JOB_RUNNER_MAX_ATTEMPTS='0'");
    }

    @Test
    void theCodecFollowsThePayloadsSettingUnlessOneIsGiven() {
        JobRunnerConfig lenient = JobRunners.builder().environment(Map.of("JOB_RUNNER_PAYLOADS", "lenient"))
                .handlers(HandlerRegistry.empty()).config();
        JobRunnerConfig strict = JobRunners.builder().environment(Map.of()).handlers(HandlerRegistry.empty()).config();
        byte[] extra = "{\"title\":\"t\",\"email\":\"x@example.com\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(lenient.codec().decode("report", extra, Report.class)).isEqualTo(new Report("t"));
        assertThatThrownBy(() -> strict.codec().decode("report", extra, Report.class)).hasMessageContaining("email");
    }
}

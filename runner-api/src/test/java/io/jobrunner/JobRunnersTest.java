package io.jobrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobRunnersTest {

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
            assertThatThrownBy(runner::store)
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
}

package io.jobrunner.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.PayloadException;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading a job's result back as a type, as an application does after awaiting it. */
class TypedResultTest {

    record Summary(String name, int pages, LocalDate day) {
    }

    private static JobRunner runner() {
        HandlerRegistry handlers = HandlerRegistry.builder()
                .job(JobHandler.of("summarize", String.class, (name, context) -> new Summary(name, 12, LocalDate.of(2026, 12, 5))))
                .job(JobHandler.of("nothing", String.class, (name, context) -> null))
                .job(JobHandler.of("list", String.class, (name, context) -> List.of(new Summary(name, 1, null))))
                .build();
        return JobRunners.builder().environment(Map.of("JOB_RUNNER", "inprocess-sync", "JOB_RUNNER_STORE", "memory"))
                .handlers(handlers).build();
    }

    @Test
    void aResultReadsBackAsTheTypeTheHandlerReturned() {
        try (JobRunner runner = runner()) {
            JobRequest done = runner.jobs().find(runner.dispatchJob(JobData.of("summarize", "weekly")).id()).orElseThrow();

            assertThat(done.result(Summary.class)).contains(new Summary("weekly", 12, LocalDate.of(2026, 12, 5)));
            assertThat(done.result(new TypeReference<Map<String, Object>>() { })).hasValueSatisfying(
                    map -> assertThat(map).containsEntry("name", "weekly").containsEntry("pages", 12));
            JobRequest list = runner.dispatchJob(JobData.of("list", "x"));
            assertThat(list.result(new TypeReference<List<Summary>>() { })).contains(List.of(new Summary("x", 1, null)));
        }
    }

    @Test
    void noResultIsEmptyAndAResultOfAnotherShapeNamesTheJob() {
        try (JobRunner runner = runner()) {
            assertThat(runner.dispatchJob(JobData.of("nothing", "x")).result(Summary.class)).isEmpty();
            JobRequest done = runner.dispatchJob(JobData.of("summarize", "weekly"));
            assertThatThrownBy(() -> done.result(Integer.class))
                    .isInstanceOf(PayloadException.class)
                    .hasMessageContaining("job request " + done.id())
                    .hasMessageContaining(Integer.class.getName());
        }
    }
}

package io.jobrunner.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.JobQuery;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.spi.store.NewJobRequest;
import io.jobrunner.testkit.Await;
import io.jobrunner.local.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One embedded store opened by several real processes at once. */
class EmbeddedStoreProcessTest {

    @TempDir
    Path directory;

    @Test
    void twoProcessesClaimingFromOneEmbeddedStoreNeverClaimARequestTwice() throws Exception {
        int total = 1_000;
        Set<Long> inserted = new HashSet<>();
        try (JdbiJobRequestStore store = EmbeddedJobRequestStore.openDirectory(directory)) {
            for (int i = 0; i < total; i++) {
                inserted.add(store.insert(new NewJobRequest("report", null, "{\"n\":" + i + "}", null, null, 1, "test"))
                        .request().id());
            }
        }
        Path start = directory.resolve("start");
        List<ChildJvm> claimers = new ArrayList<>();
        try {
            for (String owner : List.of("process-a", "process-b")) {
                claimers.add(ChildJvm.start(ClaimingProcess.class.getName(), List.of(directory.toString(), start.toString(),
                        owner), System.getProperty("java.class.path"), Map.of(), List.of("-Xmx128m")));
            }
            for (ChildJvm claimer : claimers) {
                Await.until("the claiming process opened the store", Duration.ofSeconds(60),
                        () -> claimer.output().contains("ready") || !claimer.isAlive());
            }
            Files.createFile(start);
            List<List<Long>> claims = new ArrayList<>();
            for (ChildJvm claimer : claimers) {
                Await.until("the claiming process finished", Duration.ofSeconds(120), () -> !claimer.isAlive());
                String output = claimer.output();
                assertThat(output).as(output).contains("done");
                claims.add(output.lines().filter(line -> line.startsWith("claimed "))
                        .map(line -> Long.parseLong(line.substring("claimed ".length()))).toList());
            }
            List<Long> all = claims.stream().flatMap(List::stream).toList();
            assertThat(all).hasSize(total);
            assertThat(new HashSet<>(all)).isEqualTo(inserted);
            assertThat(claims).allSatisfy(mine -> assertThat(mine).as("both processes claimed while the other did")
                    .isNotEmpty());
        } finally {
            claimers.forEach(ChildJvm::close);
        }
        try (JdbiJobRequestStore store = EmbeddedJobRequestStore.openDirectory(directory)) {
            Map<String, Long> byOwner = store.list(JobQuery.all().limit(JobQuery.MAX_LIMIT)).stream()
                    .peek(request -> assertThat(request.status()).isEqualTo(JobStatus.RUNNING))
                    .peek(request -> assertThat(request.attempts()).isEqualTo(1))
                    .collect(Collectors.groupingBy(JobRequest::lockedBy, Collectors.counting()));
            assertThat(byOwner.keySet()).containsExactlyInAnyOrder("process-a", "process-b");
        }
    }
}

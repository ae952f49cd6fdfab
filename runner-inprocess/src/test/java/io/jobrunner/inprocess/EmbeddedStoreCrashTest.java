package io.jobrunner.inprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.JobRequest;
import io.jobrunner.JobStatus;
import io.jobrunner.store.EmbeddedJobRequestStore;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.Await;
import io.jobrunner.local.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default set-up, killed with SIGKILL while it dispatches: every dispatch that returned is kept. */
class EmbeddedStoreCrashTest {

    @TempDir
    Path directory;

    @Test
    void everyJobWhoseDispatchReturnedIsFoundAfterKill9() throws Exception {
        List<Long> dispatched;
        try (ChildJvm application = ChildJvm.start(DispatchingProcess.class.getName(), List.of(directory.toString()),
                System.getProperty("java.class.path"), Map.of(), List.of("-Xmx128m"))) {
            Await.until("the application dispatched jobs", Duration.ofSeconds(60),
                    () -> dispatchedIds(application).size() >= 50 || !application.isAlive());
            assertThat(application.isAlive()).as(application.output()).isTrue();
            application.kill();
            dispatched = dispatchedIds(application);
        }
        assertThat(dispatched).hasSizeGreaterThanOrEqualTo(50);

        try (JdbiJobRequestStore store = EmbeddedJobRequestStore.openDirectory(directory)) {
            for (long id : dispatched) {
                JobRequest request = store.find(id).orElseThrow(() -> new AssertionError("job " + id
                        + " was dispatched before the kill and is missing after it"));
                assertThat(request.status()).isEqualTo(JobStatus.QUEUED);
                assertThat(request.jobType()).isEqualTo("later");
            }
        }
    }

    private static List<Long> dispatchedIds(ChildJvm application) {
        return application.output().lines().filter(line -> line.startsWith("dispatched ") && line.length() > 11)
                .map(line -> Long.parseLong(line.substring("dispatched ".length()).trim())).toList();
    }
}

package io.jobrunner.store;

import io.jobrunner.JobRequest;
import io.jobrunner.spi.store.ClaimFilter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A separate process that opens the embedded store in a directory, waits for a start file, then
 * claims requests one statement at a time until none is left, printing each id it claimed.
 * Arguments: the store's directory, the start file, the owner name.
 */
public final class ClaimingProcess {

    private ClaimingProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[0]);
        Path start = Path.of(args[1]);
        String owner = args[2];
        try (JdbiJobRequestStore store = EmbeddedJobRequestStore.openDirectory(directory)) {
            System.out.println("ready");
            System.out.flush();
            while (!Files.exists(start)) {
                Thread.sleep(5);
            }
            StringBuilder claimed = new StringBuilder();
            List<JobRequest> batch;
            do {
                batch = store.claimNext(ClaimFilter.any(), owner, Duration.ofMinutes(10), 1);
                batch.forEach(request -> claimed.append("claimed ").append(request.id()).append('\n'));
            } while (!batch.isEmpty());
            System.out.print(claimed);
            System.out.println("done");
        }
    }
}

package io.jobrunner.cli;

import io.jobrunner.dashboard.TimeText;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jobrunner purge --older-than 14d}: finished requests deleted. */
@Command(name = "purge", description = "Delete job requests that finished (succeeded, failed or cancelled) more than"
        + " the given time ago. Queued and running requests are never deleted.")
final class PurgeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--older-than", required = true, paramLabel = "AGE",
            description = "how long ago they finished: 90s, 15m, 2h, 14d; 0s deletes every finished request")
    String olderThan;

    @Override
    public Integer call() {
        Duration age = olderThan.trim().matches("0+[a-z]*") ? Duration.ZERO : Times.duration("--older-than", olderThan);
        try (Store store = Store.open()) {
            int deleted = store.jobs().purgeFinished(age);
            spec.commandLine().getOut().printf("Deleted %d finished job request%s (finished more than %s ago) from %s%n",
                    deleted, deleted == 1 ? "" : "s", TimeText.amount(age), store.description());
        }
        return 0;
    }
}

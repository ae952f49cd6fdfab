package io.jobrunner;

import java.util.List;

/**
 * Some entries of a bulk dispatch were not sent. Entries not listed were sent. Each failure names
 * its index in the list given, the task or job, and the transport's reason.
 */
public final class BulkDispatchException extends JobRunnerException {

    /** One entry that was not sent. */
    public record EntryFailure(int index, String name, String reason) {
    }

    private final int attempted;
    private final List<EntryFailure> failures;

    public BulkDispatchException(int attempted, List<EntryFailure> failures) {
        super(failures.size() + " of " + attempted + " entries were not sent: " + failures.stream().limit(10)
                .map(f -> "#" + f.index() + " " + f.name() + ": " + f.reason()).toList()
                + (failures.size() > 10 ? " …" : "") + ". Dispatch the failed entries again");
        this.attempted = attempted;
        this.failures = List.copyOf(failures);
    }

    public int attempted() {
        return attempted;
    }

    public List<EntryFailure> failures() {
        return failures;
    }
}

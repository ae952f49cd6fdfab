package io.jobrunner.spi.store;

import java.util.List;

/**
 * What {@link JobRequestStore#insertGraph} stored. Immutable.
 *
 * @param batchId the batch it made, or {@code null} when no row was a batch member
 * @param results one per row, in the order given
 */
public record InsertedGraph(Long batchId, List<InsertResult> results) {
    public InsertedGraph {
        results = List.copyOf(results);
    }
}

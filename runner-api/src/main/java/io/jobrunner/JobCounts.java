package io.jobrunner;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many job requests a store holds, by status and by job type. A snapshot. Immutable.
 *
 * @param byStatus requests per status; every status is present, zero included
 * @param byType   per job type (sorted by name), its requests per status present
 */
public record JobCounts(Map<JobStatus, Long> byStatus, Map<String, Map<JobStatus, Long>> byType) {

    public JobCounts {
        EnumMap<JobStatus, Long> statuses = new EnumMap<>(JobStatus.class);
        for (JobStatus status : JobStatus.values()) {
            statuses.put(status, byStatus.getOrDefault(status, 0L));
        }
        byStatus = Map.copyOf(statuses);
        TreeMap<String, Map<JobStatus, Long>> types = new TreeMap<>();
        byType.forEach((type, counts) -> types.put(type, Map.copyOf(counts)));
        byType = Collections.unmodifiableMap(types);
    }

    /** Counts from one row per job type and status, as a store groups them. */
    public static JobCounts fromRows(Iterable<Row> rows) {
        Map<JobStatus, Long> statuses = new EnumMap<>(JobStatus.class);
        Map<String, Map<JobStatus, Long>> types = new TreeMap<>();
        for (Row row : rows) {
            statuses.merge(row.status(), row.count(), Long::sum);
            types.computeIfAbsent(row.jobType(), t -> new EnumMap<>(JobStatus.class)).merge(row.status(), row.count(), Long::sum);
        }
        return new JobCounts(statuses, types);
    }

    /** One group of a store's count. */
    public record Row(String jobType, JobStatus status, long count) {
    }

    /** Requests with the status. */
    public long of(JobStatus status) {
        return byStatus.get(status);
    }

    /** Requests of the job type with the status. */
    public long of(String jobType, JobStatus status) {
        return byType.getOrDefault(jobType, Map.of()).getOrDefault(status, 0L);
    }

    /** Every request. */
    public long total() {
        return byStatus.values().stream().mapToLong(Long::longValue).sum();
    }
}

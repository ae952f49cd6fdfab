package io.jobrunner.spi.store;

import io.jobrunner.JobRequest;
import java.util.Optional;

/**
 * What {@link JobRequestStore#succeedAndTakeNext} did: the success as recorded (empty when the lease
 * was lost), and the job of the same type that took its place, claimed by the same owner (empty when
 * none was due or the type's limits do not allow the hand-over). Immutable.
 */
public record SuccessAndNext(Optional<JobRequest> succeeded, Optional<JobRequest> next) {
}

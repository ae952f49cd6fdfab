package io.jobrunner.sqs;

import io.jobrunner.JobRequest;
import io.jobrunner.internal.Envelope;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;

/** The message of a stored job: only its id, delayed until its run-at, grouped by its queue name. */
final class JobMessages {

    private JobMessages() {
    }

    static SqsSender.Outgoing outgoing(JobRequest job, Instant now) {
        long millis = Duration.between(now, job.runAt()).toMillis();
        int delay = (int) Math.min(Math.max((millis + 999) / 1000, 0), SqsSettings.MAX_DELAY.toSeconds());
        return new SqsSender.Outgoing(Envelope.job(job.id()), job.queueName(), deduplicationId(job), delay,
                job.traceParent());
    }

    /** The dedup key when SQS accepts it as a deduplication id (128 characters of its set), else the job id. */
    static String deduplicationId(JobRequest job) {
        String key = job.dedupKey();
        return key != null && key.length() <= 128 && ALLOWED.matcher(key).matches() ? key : "job-" + job.id();
    }

    private static final Pattern ALLOWED = Pattern.compile("[\\p{Alnum}!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]+");
}

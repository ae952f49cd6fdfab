package io.jobrunner.internal;

import io.jobrunner.JobRunnerException;

/** A message or event that is not a jobrunner envelope, or names something that cannot be read. */
public final class MalformedMessageException extends JobRunnerException {
    private final String body;

    public MalformedMessageException(String problem, String body) {
        super("Not a jobrunner envelope: " + problem + " (a body of " + (body == null ? 0 : body.length())
                + " characters; the message itself stays in the queue or the failed event)");
        this.body = body;
    }

    /** The body as received. */
    public String body() {
        return body;
    }
}

package io.jobrunner.internal;

import io.jobrunner.JobRunnerException;

/** A message or event that is not a jobrunner envelope, or names something that cannot be read. */
public final class MalformedMessageException extends JobRunnerException {
    private final String body;

    public MalformedMessageException(String problem, String body) {
        super("Not a jobrunner envelope: " + problem + " (body: " + shorten(body) + ")");
        this.body = body;
    }

    /** The body as received. */
    public String body() {
        return body;
    }

    private static String shorten(String body) {
        if (body == null) {
            return "null";
        }
        return body.length() > 300 ? body.substring(0, 300) + "…" : body;
    }
}

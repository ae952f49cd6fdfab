package io.jobrunner.cli;

import io.jobrunner.JobContext;
import io.jobrunner.JobHandler;

/** A job a worker started by the command runs: logs, then doubles its number, or fails for a negative one. */
public final class DoubleJob implements JobHandler<Integer> {

    public static final String TYPE = "cli-double";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Class<Integer> payloadType() {
        return Integer.class;
    }

    @Override
    public Object run(Integer number, JobContext context) {
        context.log("doubling " + number);
        if (number < 0) {
            throw new IllegalArgumentException("cannot double <b>" + number + "</b>");
        }
        return number * 2;
    }
}

package io.jobrunner.cli;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.HandlerSource;
import io.jobrunner.JobHandler;

/** Handlers an application builds in code, with a dependency (here a factor) given to their constructor. */
public final class TriplingHandlers implements HandlerSource {

    @Override
    public HandlerRegistry get() {
        int factor = 3;
        return HandlerRegistry.builder()
                .job(JobHandler.of(DoubleJob.TYPE, Integer.class, (number, context) -> number * factor))
                .build();
    }
}

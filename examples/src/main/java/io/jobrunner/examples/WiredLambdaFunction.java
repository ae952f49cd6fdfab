package io.jobrunner.examples;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobHandler;
import io.jobrunner.JobRunners;
import io.jobrunner.lambda.JobRunnerHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A Lambda entry point whose handlers are built in code, as a dependency-injection container would
 * build them, instead of listed in {@code META-INF/services}: deploy it with the handler
 * {@code io.jobrunner.examples.WiredLambdaFunction::handleRequest}. The {@link JobRunnerHandler}
 * is built once per container, from the same builder producers use.
 */
public final class WiredLambdaFunction implements RequestStreamHandler {

    /** A job type only this entry point knows; its handler could hold any injected collaborator. */
    public static final String ECHO = "wired-echo";

    private static final JobRunnerHandler HANDLER = new JobRunnerHandler(JobRunners.builder()
            .handlers(HandlerRegistry.builder()
                    .job(JobHandler.of(ECHO, String.class, (text, context) -> "wired " + text))
                    .build())
            .config());

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        HANDLER.handleRequest(input, output, context);
    }
}

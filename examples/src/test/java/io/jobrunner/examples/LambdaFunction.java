package io.jobrunner.examples;

import io.jobrunner.lambda.JobRunnerHandler;
import io.jobrunner.testkit.ContractEffects;
import io.jobrunner.testkit.ContractHandlers;
import io.jobrunner.local.LambdaEmulator;
import io.jobrunner.testkit.PostgresFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The example application's shaded jar deployed to the {@link LambdaEmulator}, with the contract's
 * handlers added beside it, its jobs in a PostgreSQL schema.
 */
final class LambdaFunction {

    static final String NAME = "jobs";
    static final String HANDLER = JobRunnerHandler.class.getName() + "::handleRequest";

    private LambdaFunction() {
    }

    static LambdaEmulator deploy(PostgresFixture postgres, int containers, Map<String, String> extraEnvironment) {
        return deploy(postgres, HANDLER, containers, extraEnvironment);
    }

    /** The jar deployed with another entry point, e.g. {@code WiredLambdaFunction::handleRequest}. */
    static LambdaEmulator deploy(PostgresFixture postgres, String handler, int containers, Map<String, String> extraEnvironment) {
        Map<String, String> environment = new HashMap<>();
        environment.put("DATABASE_URL", postgres.serverUrl());
        environment.put("JOB_RUNNER_DB_SCHEMA", postgres.schema());
        environment.put("JOB_RUNNER_DB_POOL_SIZE", "2");
        environment.put(ContractEffects.URL_VARIABLE, postgres.jdbcUrl());
        environment.put("JOB_RUNNER_LAMBDA_FUNCTION", NAME);
        environment.put("JOB_RUNNER_RETRY_BASE_DELAY", "20ms");
        environment.put("JOB_RUNNER_RETRY_MAX_DELAY", "100ms");
        environment.putAll(extraEnvironment);
        return LambdaEmulator.start(new LambdaEmulator.Function(NAME, handler, classPath(), environment, 60, containers, 0));
    }

    /**
     * Logback, the shaded jar, the runtime client's jars, and the contract handlers with a services
     * file naming them and a logback configuration.
     */
    private static List<Path> classPath() {
        Path jar = Path.of(System.getProperty("function.jar", "target/jobrunner-function.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException("The function jar " + jar.toAbsolutePath() + " is missing: run mvn package first");
        }
        List<Path> classPath = new ArrayList<>();
        // Logback ahead of the jar's slf4j-simple, which has no MDC: the contract checks the job's MDC in the function.
        classPath.add(locationOf("ch.qos.logback.classic.Logger"));
        classPath.add(locationOf("ch.qos.logback.core.Appender"));
        classPath.add(jar);
        classPath.addAll(LambdaEmulator.runtimeClientJars());
        classPath.add(locationOf(ContractHandlers.class.getName()));
        classPath.add(contractServices());
        return classPath;
    }

    private static Path contractServices() {
        try {
            Path directory = Files.createTempDirectory("contract-handlers");
            Path services = Files.createDirectories(directory.resolve("META-INF/services"));
            Files.write(services.resolve("io.jobrunner.TaskHandler"), List.of(ContractHandlers.Greet.class.getName()));
            Files.writeString(directory.resolve("logback.xml"), "<configuration><appender name=\"out\""
                    + " class=\"ch.qos.logback.core.ConsoleAppender\"><encoder><pattern>%-5level %logger{20}"
                    + " %X{jobId:-} - %msg%n</pattern></encoder></appender><root level=\"INFO\">"
                    + "<appender-ref ref=\"out\"/></root></configuration>");
            Files.write(services.resolve("io.jobrunner.JobHandler"),
                    ContractHandlers.JOB_HANDLER_CLASSES.stream().map(Class::getName).toList());
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path locationOf(String className) {
        try {
            return Path.of(Class.forName(className).getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (ClassNotFoundException | URISyntaxException e) {
            throw new IllegalStateException("Cannot locate " + className + " on the test class path", e);
        }
    }
}

package io.jobrunner.cli;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.HandlerSource;
import io.jobrunner.JobRunnerConfig;
import io.jobrunner.JobRunners;
import io.jobrunner.Setting;
import io.jobrunner.inprocess.DatabaseWorker;
import io.jobrunner.inprocess.LegacyProvider;
import io.jobrunner.spi.Settings;
import io.jobrunner.sqs.SqsWorker;
import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jobrunner worker}: the worker {@code JOB_RUNNER} calls for — a database worker for
 * {@code database} (and {@code legacy} without {@code JOBS_SAME_PROCESS}), an SQS worker for
 * {@code sqs} — with the handlers of the application's jars, until SIGTERM or SIGINT, then a
 * graceful shutdown.
 */
@Command(name = "worker", description = "Run the worker JOB_RUNNER calls for (database, legacy without"
        + " JOBS_SAME_PROCESS, or sqs) with the handlers of the application's jars (a --handlers class, or those"
        + " listed in META-INF/services), until"
        + " SIGTERM or Ctrl-C; then running jobs finish (up to JOB_RUNNER_SHUTDOWN_TIMEOUT) and the rest go back to"
        + " the queue.")
final class WorkerCommand implements Callable<Integer> {

    @Option(names = {"-cp", "--class-path"}, paramLabel = "PATH",
            description = "the application's jars and class directories, separated by ':' (';' on Windows); also"
                    + " read from JOBRUNNER_CLASSPATH")
    String classPath = "";

    @Option(names = "--handlers", paramLabel = "CLASS",
            description = "a class of the application implementing io.jobrunner.HandlerSource, whose handlers the"
                    + " worker runs (built with their dependencies in code); also read from JOB_RUNNER_HANDLERS."
                    + " Default: the handlers listed in META-INF/services")
    String handlerSource;

    @Option(names = "--until-empty", description = "drain mode: run what is due for the worker's job types, then exit"
            + " (0) once nothing due is left — for cron-style batch hosts. Jobs due later (delayed, retries backing off)"
            + " stay queued for the next run")
    boolean untilEmpty;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        Settings settings = Settings.fromEnvironment();
        String runner = settings.get(Setting.RUNNER).orElse("").toLowerCase(Locale.ROOT);
        ClassLoader loader = classLoader(settings);
        JobRunners.Builder builder = JobRunners.builder().classLoader(loader);
        String source = handlerSource != null ? handlerSource : settings.get(Setting.HANDLERS).orElse(null);
        if (source != null) {
            builder.handlers(handlersFrom(source, loader));
        }
        JobRunnerConfig config = builder.config();
        if (config.handlers().isEmpty()) {
            throw new IllegalStateException("No handlers found: pass the application's jars with --class-path (or"
                    + " JOBRUNNER_CLASSPATH), and name a class that builds them with --handlers (a HandlerSource), or list"
                    + " them in META-INF/services/io.jobrunner.JobHandler and META-INF/services/io.jobrunner.TaskHandler");
        }
        AutoCloseable worker = switch (runner) {
            case "database", "db", "legacy" -> {
                if (runner.equals("legacy") && LegacyProvider.runsJobsInProcess(settings)) {
                    throw new IllegalStateException("JOB_RUNNER=legacy with JOBS_SAME_PROCESS=true runs jobs in the"
                            + " application's process; there is no worker to run. Unset JOBS_SAME_PROCESS to run them here");
                }
                DatabaseWorker database = DatabaseWorker.create(config);
                if (untilEmpty) {
                    yield drained(database.id(), database.drain(), "jobs");
                }
                yield database.start();
            }
            case "sqs" -> {
                SqsWorker sqs = SqsWorker.create(config);
                if (untilEmpty) {
                    yield drained("the SQS worker", sqs.drain(), "messages");
                }
                yield sqs.start();
            }
            default -> throw new IllegalStateException("jobrunner worker runs the workers of JOB_RUNNER=database, legacy"
                    + " or sqs; JOB_RUNNER is " + (runner.isEmpty() ? "unset" : "'" + runner + "'") + ". In-process"
                    + " runners run their jobs in the application, and lambda-async in the function");
        };
        return worker == null ? 0 : UntilStopped.await("worker", worker);
    }

    /** Drain mode's report: the worker has closed; nothing is left to keep running. */
    private AutoCloseable drained(String worker, long taken, String what) {
        spec.commandLine().getOut().println("jobrunner worker --until-empty: " + worker + " took " + taken + " " + what
                + "; nothing due is left, exiting");
        return null;
    }

    /** The handlers the application's {@link HandlerSource} builds. */
    private static HandlerRegistry handlersFrom(String className, ClassLoader loader) {
        Class<?> type;
        try {
            type = Class.forName(className.trim(), true, loader);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("--handlers " + className + ": no such class on the class path; pass the"
                    + " application's jars with --class-path (or JOBRUNNER_CLASSPATH)", e);
        }
        if (!HandlerSource.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException("--handlers " + className + " does not implement "
                    + HandlerSource.class.getName() + "; implement it and return the handlers from get()");
        }
        try {
            HandlerRegistry handlers = ((HandlerSource) type.getConstructor().newInstance()).get();
            if (handlers == null) {
                throw new IllegalStateException("--handlers " + className + ": get() returned null; return the handlers");
            }
            return handlers;
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("--handlers " + className + " needs a public constructor without"
                    + " arguments", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("--handlers " + className + " failed to build the handlers: "
                    + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("--handlers " + className + " cannot be created: " + e, e);
        }
    }

    private ClassLoader classLoader(Settings settings) {
        List<String> entries = new ArrayList<>(List.of(classPath.split(File.pathSeparator)));
        settings.get(Setting.CLASSPATH).ifPresent(value -> entries.addAll(List.of(value.split(File.pathSeparator))));
        List<URL> urls = new ArrayList<>();
        for (String entry : entries) {
            if (entry.isBlank()) {
                continue;
            }
            Path path = Path.of(entry.trim());
            if (!Files.exists(path)) {
                throw new IllegalArgumentException("Class path entry '" + entry + "' does not exist: pass the"
                        + " application's jar files or class directories");
            }
            try {
                urls.add(path.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("Class path entry '" + entry + "' is not a path: " + e.getMessage(), e);
            }
        }
        ClassLoader parent = WorkerCommand.class.getClassLoader();
        return urls.isEmpty() ? parent : new URLClassLoader(urls.toArray(URL[]::new), parent);
    }
}

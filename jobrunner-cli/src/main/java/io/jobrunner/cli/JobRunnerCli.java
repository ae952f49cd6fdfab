package io.jobrunner.cli;

import io.jobrunner.JobRunnerException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code jobrunner} command: looks at and acts on the job requests of the store the
 * environment names ({@code DATABASE_URL}, else the embedded store in {@code JOB_RUNNER_EMBEDDED_DIR}),
 * and runs workers. Exit codes: 0 done, 1 failed, 2 bad usage.
 */
@Command(name = "jobrunner", mixinStandardHelpOptions = true, versionProvider = JobRunnerCli.Version.class,
        description = "Look at and act on job requests, and run workers. Configured by the same environment"
                + " variables as the library: DATABASE_URL (else the embedded store in JOB_RUNNER_EMBEDDED_DIR,"
                + " default ./.jobrunner), JOB_RUNNER_DB_SCHEMA, JOB_RUNNER.",
        subcommands = {ListCommand.class, ShowCommand.class, BatchCommand.class, RetryCommand.class, CancelCommand.class, PauseCommand.Pausing.class,
                PauseCommand.Resuming.class,
                PurgeCommand.class, StatsCommand.class, WorkersCommand.class, CheckCommand.class, SchedulesCommand.class, WorkerCommand.class, DashboardCommand.class, DevCommand.class,
                CommandLine.HelpCommand.class})
public final class JobRunnerCli {

    /** A run that did not do what was asked: the message says what to fix. */
    static final int FAILED = 1;
    /** A command line that does not parse, or a value that makes no sense. */
    static final int USAGE = 2;
    private static final String LOG_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

    public static void main(String[] args) {
        // The library logs what it opens at INFO; a command's output is its own, a worker's log is its output.
        boolean serving = args.length > 0 && (args[0].equals("worker") || args[0].equals("dashboard")
                || args[0].equals("dev"));
        if (System.getProperty(LOG_LEVEL) == null) {
            System.setProperty(LOG_LEVEL, serving ? "info" : "warn");
        }
        // the local SQS server's own lines say nothing jobrunner dev does not print itself (a port in use included)
        quiet("org.elasticmq", "warn");
        quiet("org.apache.pekko", "warn");
        quiet("org.apache.pekko.io.TcpListener", "off");
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    private static void quiet(String logger, String level) {
        String property = "org.slf4j.simpleLogger.log." + logger;
        if (System.getProperty(property) == null) {
            System.setProperty(property, level);
        }
    }

    /** Runs one command line; returns its exit code. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine line = new CommandLine(new JobRunnerCli());
        line.setOut(out);
        line.setErr(err);
        line.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            String name = "jobrunner " + commandLine.getCommandName();
            if (e instanceof IllegalArgumentException) {  // a value given on the command line
                commandLine.getErr().println(name + ": " + Printable.lines(e.getMessage()));
                commandLine.getErr().println("See '" + name + " --help'.");
                return USAGE;
            }
            String message = e instanceof JobRunnerException || e instanceof IllegalStateException ? e.getMessage()
                    : e.toString();
            commandLine.getErr().println(name + ": " + Printable.lines(message));
            return FAILED;
        });
        return line.execute(args);
    }

    /** The version this jar was built as. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = JobRunnerCli.class.getPackage().getImplementationVersion();
            return new String[] {"jobrunner " + (version == null ? "(development build)" : version)};
        }
    }
}

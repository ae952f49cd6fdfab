package io.jobrunner.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The {@code jobrunner} command run as a process of its own, on this JVM's class path. */
final class CliProcess {

    private final Process process;
    private final Path out;
    private final Path err;

    private CliProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** What a run printed and how it exited. */
    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    /** Runs the command to its end. */
    static Result run(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        CliProcess cli = start(environment, args);
        if (!cli.process.waitFor(60, TimeUnit.SECONDS)) {
            cli.process.destroyForcibly();
            throw new AssertionError("jobrunner " + String.join(" ", args) + " did not exit within 60 s:\n" + cli.output());
        }
        return new Result(cli.process.exitValue(), Files.readString(cli.out), Files.readString(cli.err));
    }

    /** Starts the command with {@code environment} instead of this process's store and runner settings. */
    static CliProcess start(Map<String, String> environment, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), JobRunnerCli.class.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("jobrunner-cli-", ".out");
        Path err = Files.createTempFile("jobrunner-cli-", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().keySet().removeIf(name -> name.equals("DATABASE_URL") || name.startsWith("JOB_RUNNER")
                || name.startsWith("JOBS_") || name.equals("JOBRUNNER_CLASSPATH"));
        builder.environment().putAll(environment);
        return new CliProcess(builder.start(), out, err);
    }

    /** What it printed so far, both streams. */
    String output() throws IOException {
        return Files.readString(out) + Files.readString(err);
    }

    /** SIGTERM, then its exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("jobrunner did not exit within 60 s of SIGTERM");
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }
}

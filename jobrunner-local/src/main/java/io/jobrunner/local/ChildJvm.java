package io.jobrunner.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A main class run in a separate JVM, as a real worker process: killed or terminated like one. */
public final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final Path log;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code mainClass} with this JVM's class path and the given environment added to this
     * process's. Output goes to a log file, see {@link #output()}.
     */
    public static ChildJvm start(String mainClass, Map<String, String> environment, List<String> jvmOptions) {
        return start(mainClass, List.of(), System.getProperty("java.class.path"), environment, jvmOptions);
    }

    /** Starts {@code mainClass} with arguments on the given class path. */
    public static ChildJvm start(String mainClass, List<String> arguments, String classPath, Map<String, String> environment,
                                 List<String> jvmOptions) {
        try {
            Path log = Files.createTempFile("child-jvm-", ".log");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.add("-cp");
            command.add(classPath);
            command.add(mainClass);
            command.addAll(arguments);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            return new ChildJvm(builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits up to {@code timeout} for the process to exit by itself; its exit code, or empty while it still runs. */
    public java.util.OptionalInt exitCodeWithin(java.time.Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? java.util.OptionalInt.of(process.exitValue())
                : java.util.OptionalInt.empty();
    }

    /** SIGKILL: the process dies at once, with no chance to clean up. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then waits for the process to exit; returns its exit code. */
    public int terminate(long timeoutSeconds) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("The child JVM did not exit within " + timeoutSeconds + " s of SIGTERM; output:\n" + output());
        }
        return process.exitValue();
    }

    /** The file its output goes to. */
    public Path logFile() {
        return log;
    }

    /** What the process printed so far. */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}

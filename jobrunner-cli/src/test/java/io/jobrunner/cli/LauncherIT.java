package io.jobrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped command: {@code bin/jobrunner} on the executable jar the build packaged. */
class LauncherIT {

    private static final Path LAUNCHER = Path.of(System.getProperty("jobrunner.launcher"));
    private static final Path JAR = Path.of(System.getProperty("jobrunner.jar"));

    private static String run(Path workDirectory, String... args) throws Exception {
        Path output = Files.createTempFile("jobrunner-launcher-", ".out");
        List<String> command = new java.util.ArrayList<>(List.of("bash", LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDirectory.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().keySet().removeIf(name -> name.equals("DATABASE_URL") || name.startsWith("JOB_RUNNER"));
        builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits").isTrue();
        String printed = Files.readString(output);
        assertThat(process.exitValue()).as(printed).isZero();
        return printed;
    }

    @Test
    void theLauncherRunsThePackagedJarOnTheEmbeddedStoreOfTheWorkingDirectory(@TempDir Path directory) throws Exception {
        assertThat(JAR).exists();

        assertThat(run(directory, "--version")).startsWith("jobrunner ").doesNotContain("development build");
        assertThat(run(directory, "stats")).contains("Job requests in the embedded store",
                directory.resolve(".jobrunner").toString(), "oldest queued: none");
        assertThat(run(directory, "--help")).contains("list", "show", "retry", "cancel", "purge", "stats", "schedules",
                "worker");
    }
}

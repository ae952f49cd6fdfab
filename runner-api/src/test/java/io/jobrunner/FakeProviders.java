package io.jobrunner;

import io.jobrunner.spi.JobRunnerProvider;
import io.jobrunner.spi.RunnerContext;
import io.jobrunner.spi.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Providers for selection tests, and class loaders that list a chosen set of them. */
final class FakeProviders {

    private FakeProviders() {
    }

    /** A class loader whose META-INF/services lists exactly these provider classes. */
    static ClassLoader listing(Path directory, Class<?>... providers) {
        try {
            Path services = directory.resolve("META-INF/services");
            Files.createDirectories(services);
            List<String> names = new ArrayList<>();
            for (Class<?> provider : providers) {
                names.add(provider.getName());
            }
            Files.write(services.resolve(JobRunnerProvider.class.getName()), names);
            return new URLClassLoader(new URL[] {directory.toUri().toURL()}, FakeProviders.class.getClassLoader());
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A runner that records what it was given; "ready" needs READY_TOKEN. */
    static final class RecordingRunner implements JobRunner {
        final String name;
        final RunnerContext context;

        RecordingRunner(String name, RunnerContext context) {
            this.name = name;
            this.context = context;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean fullyConfigured() {
            return true;
        }

        @Override
        public void dispatchTask(String taskName, Object payload) {
            context.encodeTask(taskName, payload);
        }

        @Override
        public JobRequest dispatchJob(JobData data) {
            context.newJobRequest(data, name);
            throw new UnsupportedOperationException("selection tests dispatch no jobs");
        }

        @Override
        public JobRequest dispatchJob(java.sql.Connection connection, JobData data) {
            throw new UnsupportedOperationException("selection tests dispatch no jobs");
        }

        @Override
        public void handOff(java.util.Collection<JobRequest> requests) {
            throw new UnsupportedOperationException("selection tests hand off no jobs");
        }

        @Override
        public JobSchedules schedules() {
            throw new UnsupportedOperationException("selection tests schedule no jobs");
        }

        @Override
        public JobRequests jobs() {
            return context.jobRequests(request -> request);
        }

        @Override
        public void close() {
            context.close();
        }
    }

    public static final class Alpha implements JobRunnerProvider {
        @Override
        public String name() {
            return "alpha";
        }

        @Override
        public Set<String> aliases() {
            return Set.of("a");
        }

        @Override
        public List<String> missingSettings(Settings settings) {
            return List.of();
        }

        @Override
        public JobRunner create(RunnerContext context) {
            return new RecordingRunner(name(), context);
        }
    }

    /** Claims the name "alpha" too. */
    public static final class AlphaTwin implements JobRunnerProvider {
        @Override
        public String name() {
            return "alpha";
        }

        @Override
        public List<String> missingSettings(Settings settings) {
            return List.of();
        }

        @Override
        public JobRunner create(RunnerContext context) {
            return new RecordingRunner(name(), context);
        }
    }

    /** Needs two settings. */
    public static final class Picky implements JobRunnerProvider {
        @Override
        public String name() {
            return "picky";
        }

        @Override
        public List<String> missingSettings(Settings settings) {
            List<String> missing = new ArrayList<>();
            if (!settings.isSet("PICKY_QUEUE_URL")) {
                missing.add("PICKY_QUEUE_URL: set it to the URL of the queue to send to");
            }
            if (!settings.isSet("PICKY_REGION")) {
                missing.add("PICKY_REGION: set it to the region of the queue, e.g. eu-west-1");
            }
            return missing;
        }

        @Override
        public JobRunner create(RunnerContext context) {
            return new RecordingRunner(name(), context);
        }
    }
}

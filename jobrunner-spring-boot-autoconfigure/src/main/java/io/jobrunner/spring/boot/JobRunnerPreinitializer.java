package io.jobrunner.spring.boot;

import io.jobrunner.PayloadCodec;
import io.jobrunner.store.JdbiJobRequestStore;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Gives the store a head start: as soon as the application's environment is ready, and unless
 * {@code jobrunner.enabled=false}, a daemon thread loads the classes opening the store and building
 * the runner will need (JDBI, the driver, the JSON codec, the runners), while Spring creates the
 * application's own beans on the main thread. It connects to nothing and changes nothing; it only
 * moves class loading off the start-up's critical path.
 */
public final class JobRunnerPreinitializer implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

    private static final String[] RUNNER_CLASSES = {"io.jobrunner.inprocess.InProcessRunner",
        "io.jobrunner.inprocess.DatabaseWorker", "io.jobrunner.internal.JobExecutor", "io.jobrunner.internal.StoredJobSchedules"};

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        if (!StarterProperty.ENABLED.get(event.getEnvironment(), Boolean.class)
                || StarterProperty.BACKGROUND_START.get(event.getEnvironment(), Boolean.class)) {
            return;
        }
        Thread thread = new Thread(JobRunnerPreinitializer::preload, "jobrunner-preinitializer");
        thread.setDaemon(true);
        thread.start();
    }

    private static void preload() {
        PayloadCodec.defaultCodec();
        JdbiJobRequestStore.preload();
        ClassLoader loader = JobRunnerPreinitializer.class.getClassLoader();
        for (String name : RUNNER_CLASSES) {
            try {
                Class.forName(name, true, loader);
            } catch (Throwable absentOrFailing) {
                // a runner module the application does not use; the real build reports real problems
            }
        }
    }
}

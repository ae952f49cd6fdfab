package io.jobrunner.spring.boot;

import java.time.Duration;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.core.env.Environment;

/**
 * The properties only a Spring application has — what the starter starts and checks — beside the
 * settings of the registry ({@link SettingProperties}).
 */
public enum StarterProperty {
    ENABLED("jobrunner.enabled", Boolean.class, "true", "Whether the starter builds a JobRunner at all."),
    WORKER_ENABLED("jobrunner.worker.enabled", Boolean.class, "false", "Start a worker for the runner in this "
            + "application: a database worker for `database`, an SQS worker for `sqs`. One jar serves as web application "
            + "and as worker by this property."),
    BACKGROUND_START("jobrunner.background-start", Boolean.class, "true", "Open the store, define the recurring jobs "
            + "and start the worker on a thread of their own once the context has started, so the application is ready "
            + "without waiting for them; a dispatch meanwhile waits until the runner is built. Settings are checked "
            + "before the context is ready either way. false: the context's start waits for them, and fails when the "
            + "store cannot be opened."),
    DASHBOARD_ENABLED("jobrunner.dashboard.enabled", Boolean.class, "false", "Serve the dashboard on its own port "
            + "(`jobrunner.dashboard.port`, `jobrunner.dashboard.host`)."),
    OBSERVATIONS_ENABLED("jobrunner.observations.enabled", Boolean.class, "true", "Make dispatches and runs "
            + "Observations of the application's ObservationRegistry (`jobrunner.dispatch`, `jobrunner.run`): spans of one "
            + "trace from the request through any worker when a tracing bridge is present."),
    APPLICATION_DATA_SOURCE("jobrunner.db.application-data-source", Boolean.class, "true", "Keep job requests in the "
            + "application's PostgreSQL DataSource (its pool, its transactions) when there is one and "
            + "`jobrunner.database-url` is not set."),
    HEALTH_MAX_QUEUED("jobrunner.health.max-queued", Long.class, "10000", "Queued jobs above which the health "
            + "indicator reports DOWN."),
    HEALTH_MAX_WAIT("jobrunner.health.max-wait", Duration.class, "15m", "How long the oldest due job may wait before the "
            + "health indicator reports DOWN.");

    private final String property;
    private final Class<?> type;
    private final String defaultValue;
    private final String description;

    StarterProperty(String property, Class<?> type, String defaultValue, String description) {
        this.property = property;
        this.type = type;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String property() {
        return property;
    }

    public Class<?> type() {
        return type;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** Its value in the application's environment, or its default. */
    <T> T get(Environment environment, Class<T> as) {
        String raw = environment.getProperty(property, defaultValue).trim();
        try {
            return ApplicationConversionService.getSharedInstance().convert(raw, as);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Property " + property + " is '" + raw + "', which is not a " + as.getSimpleName()
                    + " (" + description + " Example: " + defaultValue + ")", e);
        }
    }
}

package io.jobrunner.spring.boot;

import io.jobrunner.JobTracer;
import io.jobrunner.micrometer.JobObservations;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Dispatches and runs as Observations of the application's {@link ObservationRegistry}
 * ({@link JobObservations}): with a tracing bridge on the class path (Micrometer Tracing over
 * OpenTelemetry or Brave), each dispatch is a span of the request that made it, and each run a child
 * span of its dispatch on whatever worker runs it, with {@code traceId}/{@code spanId} in the MDC.
 */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
        before = JobRunnerAutoConfiguration.class)
@ConditionalOnClass({ObservationRegistry.class, JobObservations.class})
@ConditionalOnBean(ObservationRegistry.class)
@ConditionalOnProperty(name = "jobrunner.observations.enabled", havingValue = "true", matchIfMissing = true)
public class JobRunnerObservationAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public JobTracer jobRunnerTracer(ObservationRegistry registry) {
        return JobObservations.of(registry);
    }
}

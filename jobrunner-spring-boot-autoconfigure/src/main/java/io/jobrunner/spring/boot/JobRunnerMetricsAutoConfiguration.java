package io.jobrunner.spring.boot;

import io.jobrunner.micrometer.JobRunnerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The runner's meters ({@code jobrunner.jobs.*}) in the application's {@link MeterRegistry}: a
 * {@link JobRunnerMetrics} listener the runner and the workers this application starts report to.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration"},
        before = JobRunnerAutoConfiguration.class)
@ConditionalOnClass({MeterRegistry.class, JobRunnerMetrics.class})
@ConditionalOnBean(MeterRegistry.class)
public class JobRunnerMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public JobRunnerMetrics jobRunnerMetrics(MeterRegistry registry) {
        return new JobRunnerMetrics(registry);
    }
}

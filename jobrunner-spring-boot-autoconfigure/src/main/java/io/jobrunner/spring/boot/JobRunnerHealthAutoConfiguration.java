package io.jobrunner.spring.boot;

import io.jobrunner.JobRunner;
import java.time.Duration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/** The job runner's health indicator, where Spring Boot's health support is on the class path. */
@AutoConfiguration(after = JobRunnerAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(JobRunner.class)
public class JobRunnerHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "jobRunnerHealthIndicator")
    public JobRunnerHealthIndicator jobRunnerHealthIndicator(JobRunner jobRunner, Environment environment) {
        return new JobRunnerHealthIndicator(jobRunner, StarterProperty.HEALTH_MAX_QUEUED.get(environment, Long.class),
                StarterProperty.HEALTH_MAX_WAIT.get(environment, Duration.class));
    }
}

package io.jobrunner.spring.boot;

import io.jobrunner.JobRunner;
import io.jobrunner.dashboard.JobDashboard;
import io.jobrunner.spi.Settings;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * The dashboard on a port of its own ({@code jobrunner.dashboard.port}, 8090 by default, bound to
 * {@code jobrunner.dashboard.host}) with {@code jobrunner.dashboard.enabled=true}; its token or
 * user and password as {@code jobrunner.dashboard.*}. Closed with the context.
 */
@AutoConfiguration(after = JobRunnerAutoConfiguration.class)
@ConditionalOnClass(JobDashboard.class)
@ConditionalOnBean(JobRunner.class)
@ConditionalOnProperty(name = "jobrunner.dashboard.enabled", havingValue = "true")
public class JobDashboardAutoConfiguration {

    @Bean(destroyMethod = "close")
    public JobDashboard jobDashboard(TransactionalJobRunner jobRunner, JobRunnerStore store) {
        return JobDashboard.forRunner(jobRunner.runner()).settings(Settings.of(store.settings())).start();
    }
}

package io.jobrunner.spring.boot;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.InvalidSettingException;
import io.jobrunner.JobHandler;
import io.jobrunner.JobListener;
import io.jobrunner.JobRequests;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunnerConfig;
import io.jobrunner.JobRunners;
import io.jobrunner.JobTracer;
import io.jobrunner.PayloadCodec;
import io.jobrunner.RecurringJob;
import io.jobrunner.RunnerNotConfiguredException;
import io.jobrunner.Setting;
import io.jobrunner.TaskHandler;
import io.jobrunner.spi.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Builds the {@link JobRunner} bean from {@code jobrunner.*} properties (and {@code JOB_RUNNER_*}
 * variables for what no property sets), the handler beans, the {@link Recurring} methods and
 * {@link RecurringJob} beans, the {@link JobListener} beans, and the application's PostgreSQL
 * {@link DataSource} as the store where there is one. The runner starts with the context and is
 * closed, after the workers this application runs, in the shutdown phase.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration"},
        beforeName = "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass(JobRunner.class)
@ConditionalOnProperty(name = "jobrunner.enabled", havingValue = "true", matchIfMissing = true)
public class JobRunnerAutoConfiguration {

    /** Every {@link JobHandler} and {@link TaskHandler} bean, and a job handler for each {@link Recurring} method. */
    @Bean
    @ConditionalOnMissingBean
    public HandlerRegistry jobRunnerHandlers(ObjectProvider<JobHandler<?>> jobs, ObjectProvider<TaskHandler<?>> tasks,
                                             RecurringMethods recurringMethods, ConfigurableListableBeanFactory beans) {
        HandlerRegistry.Builder registry = HandlerRegistry.builder();
        jobs.orderedStream().forEach(registry::job);
        tasks.orderedStream().forEach(registry::task);
        for (RecurringMethods.Found method : recurringMethods.found()) {
            registry.job(method.handler(beans));
        }
        return registry.build();
    }

    /** The {@link Recurring} methods of the application's beans, found from the bean definitions without creating the beans. */
    @Bean
    public RecurringMethods jobRunnerRecurringMethods(ConfigurableListableBeanFactory beans) {
        return RecurringMethods.find(beans);
    }

    /** Where job requests are kept, and the settings everything here reads. */
    @Bean(destroyMethod = "close")
    public JobRunnerStore jobRunnerStore(Environment environment, ObjectProvider<DataSource> dataSources) {
        Map<String, String> settings = new HashMap<>(SettingProperties.resolve(environment, System.getenv()));
        String phase = environment.getProperty("spring.lifecycle.timeout-per-shutdown-phase");
        if (phase != null && !settings.containsKey(Setting.SHUTDOWN_TIMEOUT.variable())) {
            // Running jobs get Spring's shutdown phase, less a second for the rest of the phase.
            Duration timeout = Settings.of(Map.of(Setting.SHUTDOWN_TIMEOUT.variable(), phase)).duration(Setting.SHUTDOWN_TIMEOUT);
            settings.put(Setting.SHUTDOWN_TIMEOUT.variable(), Math.max(1_000, timeout.toMillis() - 1_000) + "ms");
        }
        boolean useApplications = StarterProperty.APPLICATION_DATA_SOURCE.get(environment, Boolean.class)
                && settings.get(Setting.DATABASE_URL.variable()) == null && settings.get(Setting.STORE.variable()) == null;
        return JobRunnerStore.of(settings, () -> useApplications ? dataSources.getIfUnique() : null);
    }

    /**
     * The runner, built on first use or when the context starts (so handler beans may depend on
     * services that use the runner); its settings are checked now, so a bad property stops the
     * context at once.
     */
    @Bean
    @ConditionalOnMissingBean(JobRunner.class)
    public TransactionalJobRunner jobRunner(JobRunnerStore store, ObjectProvider<HandlerRegistry> handlers,
                                            ObjectProvider<JobListener> listeners, ObjectProvider<PayloadCodec> codec,
                                            ObjectProvider<JobTracer> tracer, ConfigurableListableBeanFactory beans,
                                            Environment environment) {
        checked(environment, () -> {
            Settings.of(store.settings()).validate();
            return null;
        });
        RunnerBuild build = new RunnerBuild(
                () -> checked(environment, () -> JobRunners.builder().environment(store.settings()).checkRunner()),
                () -> checked(environment, () -> {
                    JobRunners.Builder builder = JobRunners.builder().environment(store.settings())
                            .handlers(handlers.getObject());
                    store.store().ifPresent(builder::store);
                    listeners.orderedStream().forEach(builder::listener);
                    codec.ifAvailable(builder::codec);
                    tracer.ifAvailable(builder::tracer);
                    applicationClient(beans, "software.amazon.awssdk.services.sqs.SqsClient", builder);
                    applicationClient(beans, "software.amazon.awssdk.services.lambda.LambdaClient", builder);
                    JobRunnerConfig config = builder.config();
                    return new RunnerBuild.Built(config.newRunner(), config);
                }));
        return new TransactionalJobRunner(build, store::applicationDataSource);
    }

    /** Runs {@code work}, naming the property behind a setting that does not parse or is missing. */
    private static <T> T checked(Environment environment, Supplier<T> work) {
        try {
            return work.get();
        } catch (InvalidSettingException e) {
            Setting setting = Setting.of(e.variable()).orElse(null);
            throw setting == null ? e : new InvalidJobRunnerPropertyException(SettingProperties.source(environment, setting),
                    e.value(), e);
        } catch (RunnerNotConfiguredException e) {
            throw new IllegalStateException(e.getMessage() + " (as Spring properties: "
                    + SettingProperties.propertyNamesIn(e.getMessage()) + ")", e);
        }
    }

    /** The runner's view of the store, reaching the runner on each call (so it too may be injected into handler beans' dependencies). */
    @Bean
    @ConditionalOnMissingBean
    public JobRequests jobRequests(TransactionalJobRunner jobRunner) {
        return new RunnerJobRequests(jobRunner);
    }

    /** Defines the recurring jobs and starts the workers with the context; stops them and the runner in the shutdown phase. */
    @Bean
    public JobRunnerLifecycle jobRunnerLifecycle(TransactionalJobRunner jobRunner, ObjectProvider<RecurringJob> recurringJobs,
                                                 RecurringMethods recurringMethods, Environment environment) {
        List<RecurringJob> schedules = new ArrayList<>(recurringJobs.orderedStream().toList());
        for (RecurringMethods.Found method : recurringMethods.found()) {
            schedules.add(method.job());
        }
        return new JobRunnerLifecycle(jobRunner, schedules, StarterProperty.WORKER_ENABLED.get(environment, Boolean.class),
                StarterProperty.BACKGROUND_START.get(environment, Boolean.class));
    }

    /** The application's own client bean of an AWS SDK type (e.g. one Spring Cloud AWS made), used instead of building one. */
    private static void applicationClient(ConfigurableListableBeanFactory beans, String typeName, JobRunners.Builder builder) {
        Class<?> type;
        try {
            type = Class.forName(typeName, false, JobRunnerAutoConfiguration.class.getClassLoader());
        } catch (ClassNotFoundException notUsed) {
            return;
        }
        addClient(builder, type, beans.getBeanProvider(type).getIfUnique());
    }

    private static <T> void addClient(JobRunners.Builder builder, Class<T> type, Object client) {
        if (client != null) {
            builder.client(type, type.cast(client));
        }
    }
}

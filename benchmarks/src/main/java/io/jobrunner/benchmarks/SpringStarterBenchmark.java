package io.jobrunner.benchmarks;

import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import io.jobrunner.JobRunner;
import io.jobrunner.JobRunners;
import io.jobrunner.store.JdbiJobRequestStore;
import io.jobrunner.testkit.PostgresFixture;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import java.sql.Connection;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Spring Boot starter's cost, side by side in one run on PostgreSQL:
 * <ul>
 *   <li>start-up: a small application (a DataSource it queries at start, one handler bean) started in a fresh JVM, to
 *       its ready event, with the starter ({@code jobrunner.enabled=true}: the store on the
 *       application's DataSource, the runner built and started) and without it, launches
 *       alternating, medians;</li>
 *   <li>burn-down: 10,000 bulk-dispatched no-op jobs on {@code inprocess-async}, through the
 *       starter's {@code JobRunner} bean and through a runner built with {@code JobRunners.builder()}
 *       over a store of its own, rounds alternating after a warm-up, medians.</li>
 * </ul>
 * Arguments: launches per set-up (default 7), jobs per round (default 10000), rounds (default 5).
 */
public final class SpringStarterBenchmark {

    private SpringStarterBenchmark() {
    }

    /** The application the start-up is measured on. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    public static class App {
        @Bean
        JobHandler<Integer> noop() {
            return new NoopJob();
        }

        /** Uses its database at start, as an application with a schema tool or JPA does, with the starter or without. */
        @Bean
        ApplicationRunner touchTheDatabase(DataSource dataSource) {
            return arguments -> {
                try (Connection connection = dataSource.getConnection()) {
                    connection.createStatement().execute("SELECT 1");
                }
            };
        }

        /**
         * Started in a child JVM: prints the milliseconds from the JVM's start to the application's ready
         * event, and, with the starter, to the end of its first dispatch (the runner built and the store open).
         */
        public static void main(String[] args) {
            SpringApplication application = new SpringApplication(App.class);
            application.setWebApplicationType(WebApplicationType.NONE);
            application.setLogStartupInfo(false);
            application.addListeners(event -> {
                if (event instanceof ApplicationReadyEvent) {
                    System.out.println("READY_MS " + sinceStart());
                }
            });
            try (ConfigurableApplicationContext context = application.run(args)) {
                context.getBeanProvider(JobRunner.class).ifAvailable(runner -> {
                    runner.dispatchJob(JobData.of(NoopJob.TYPE, 1));
                    System.out.println("DISPATCHED_MS " + sinceStart());
                });
            }
        }

        private static long sinceStart() {
            return System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        }
    }

    public static void main(String[] args) throws Exception {
        int launches = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int jobs = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        try (PostgresFixture postgres = PostgresFixture.forTestClass(SpringStarterBenchmark.class)) {
            startUp(postgres, launches);
            burnDown(postgres, jobs, rounds);
        }
    }

    private static void startUp(PostgresFixture postgres, int launches) throws Exception {
        List<Long> with = new ArrayList<>();
        List<Long> withFirstDispatch = new ArrayList<>();
        List<Long> waiting = new ArrayList<>();
        List<Long> without = new ArrayList<>();
        launch(postgres, "true", "true");  // warm-up: the schema is migrated, the class files are in the page cache
        launch(postgres, "false", "true");
        for (int i = 0; i < launches; i++) {
            long[] background = launch(postgres, "true", "true");
            with.add(background[0]);
            withFirstDispatch.add(background[1]);
            waiting.add(launch(postgres, "true", "false")[0]);
            without.add(launch(postgres, "false", "true")[0]);
        }
        long withMedian = median(with);
        long withoutMedian = median(without);
        System.out.printf(Locale.ROOT, "Start-up to ready, fresh JVM, %d launches each: with the starter %d ms, without %d ms:"
                        + " the starter adds %d ms (target < 150 ms -> %s)%n  with: %s%n  without: %s%n", launches, withMedian,
                withoutMedian, withMedian - withoutMedian, withMedian - withoutMedian < 150 ? "met" : "NOT met", with, without);
        System.out.printf(Locale.ROOT, "  with the starter, its first dispatch done at %d ms (the runner built in the"
                + " background: %d ms after ready); with jobrunner.background-start=false, ready at %d ms (+%d ms)%n"
                + "  first dispatch: %s%n  background-start=false: %s%n", median(withFirstDispatch),
                median(withFirstDispatch) - withMedian, median(waiting), median(waiting) - withoutMedian, withFirstDispatch,
                waiting);
    }

    /** Ready, and first dispatch done (0 without the starter), in milliseconds from the JVM's start. */
    private static long[] launch(PostgresFixture postgres, String starter, String background) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), App.class.getName(),
                "--spring.datasource.url=" + postgres.jdbcUrl(), "--jobrunner.enabled=" + starter,
                "--jobrunner.background-start=" + background,
                "--jobrunner.runner=inprocess-async", "--org.slf4j.simpleLogger.defaultLogLevel=warn")
                .redirectErrorStream(true).start();
        String ready = null;
        String dispatched = "0";
        try (BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = output.readLine(); line != null; line = output.readLine()) {
                if (line.startsWith("READY_MS ")) {
                    ready = line.substring("READY_MS ".length()).trim();
                } else if (line.startsWith("DISPATCHED_MS ")) {
                    dispatched = line.substring("DISPATCHED_MS ".length()).trim();
                }
            }
        }
        if (process.waitFor() != 0 || ready == null) {
            throw new IllegalStateException("The application did not start (exit " + process.exitValue() + ")");
        }
        return new long[] {Long.parseLong(ready), Long.parseLong(dispatched)};
    }

    private static void burnDown(PostgresFixture postgres, int jobs, int rounds) throws Exception {
        List<Double> starter = new ArrayList<>();
        List<Double> plain = new ArrayList<>();
        SpringApplication application = new SpringApplication(App.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setLogStartupInfo(false);
        try (ConfigurableApplicationContext context = application.run("--spring.datasource.url=" + postgres.jdbcUrl(),
                "--jobrunner.runner=inprocess-async");
             JdbiJobRequestStore store = JdbiJobRequestStore.create(context.getBean(DataSource.class));
             JobRunner built = JobRunners.builder().environment(Map.of("JOB_RUNNER", "inprocess-async"))
                     .handlers(HandlerRegistry.builder().job(new NoopJob()).build()).store(store).build()) {
            JobRunner bean = context.getBean(JobRunner.class);
            for (int round = 0; round <= rounds; round++) {
                double throughStarter = round(postgres, bean, jobs);
                double throughBuilder = round(postgres, built, jobs);
                System.out.printf(Locale.ROOT, "  %sthrough the starter's bean %,8.0f jobs/s   JobRunners.builder() %,8.0f jobs/s%n",
                        round == 0 ? "(warm-up) " : "", throughStarter, throughBuilder);
                if (round > 0) {
                    starter.add(throughStarter);
                    plain.add(throughBuilder);
                }
            }
        }
        double ratio = medianOf(starter) / medianOf(plain);
        System.out.printf(Locale.ROOT, "Burn-down of %,d bulk-dispatched no-op jobs, inprocess-async, PostgreSQL, median of %d"
                        + " rounds: through the starter %,.0f jobs/s, JobRunners.builder() %,.0f jobs/s, ratio %.2f (target >= 0.95"
                        + " -> %s)%n", jobs, rounds, medianOf(starter), medianOf(plain), ratio, ratio >= 0.95 ? "met" : "NOT met");
    }

    /** Both runners share one table; each round starts with it empty and ends when every job succeeded. */
    private static double round(PostgresFixture postgres, JobRunner runner, int jobs) throws Exception {
        postgres.execute("TRUNCATE job_request CASCADE");
        List<JobData> batch = NoopJob.batch(jobs);
        long start = System.currentTimeMillis();
        long firstId = runner.dispatchJobs(batch).get(0).id();
        return Finish.rate(jobs, start, Finish.awaitSucceeded(postgres, firstId, jobs));
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static double medianOf(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}

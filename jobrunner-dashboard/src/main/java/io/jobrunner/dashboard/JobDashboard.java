package io.jobrunner.dashboard;

import com.sun.net.httpserver.HttpServer;
import io.jobrunner.InvalidSettingException;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRequests;
import io.jobrunner.JobRunner;
import io.jobrunner.JobStoreException;
import io.jobrunner.ScheduledJob;
import io.jobrunner.Setting;
import io.jobrunner.spi.Settings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web dashboard: pages and a JSON API over an application's {@link JobRequests}, served by the
 * JDK's HTTP server. Binds to 127.0.0.1 unless told otherwise; any other address needs credentials.
 *
 * <pre>{@code
 * try (JobDashboard dashboard = JobDashboard.forRunner(runner).start()) {   // http://127.0.0.1:8090/
 *     ...
 * }
 * }</pre>
 */
public final class JobDashboard implements AutoCloseable {

    static final int MIN_TOKEN_LENGTH = 16;
    /** Threads serving requests; slow clients hold one each until their request time runs out. */
    static final int THREADS = 16;
    /** Seconds a client may take to send a request, and the dashboard to answer it. */
    static final int MAX_REQUEST_SECONDS = 10;
    static final int MAX_RESPONSE_SECONDS = 60;

    private static final Logger log = LoggerFactory.getLogger(JobDashboard.class);

    private final HttpServer server;
    private final ExecutorService threads;
    private final URI uri;

    private JobDashboard(HttpServer server, ExecutorService threads, URI uri) {
        this.server = server;
        this.threads = threads;
        this.uri = uri;
    }

    /** A dashboard over these requests; schedules are listed once {@link Builder#schedules} gives them. */
    public static Builder builder(JobRequests jobs) {
        return new Builder(jobs);
    }

    /** A dashboard over the runner's requests and recurring jobs. */
    public static Builder forRunner(JobRunner runner) {
        return builder(runner.jobs()).schedules(() -> runner.schedules().list())
                .trigger(name -> runner.schedules().trigger(name));
    }

    /** Where it is served, e.g. {@code http://127.0.0.1:8090/}. */
    public URI uri() {
        return uri;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    /** How the dashboard is served. Not thread-safe; {@link #start()} may be called once. */
    public static final class Builder {
        private final JobRequests jobs;
        private Supplier<List<ScheduledJob>> schedules = List::of;
        private Function<String, JobRequest> trigger;
        private String host = Setting.DASHBOARD_HOST.defaultValue().orElseThrow();
        private int port = Integer.parseInt(Setting.DASHBOARD_PORT.defaultValue().orElseThrow());
        private String token;
        private String user;
        private String password;

        private Builder(JobRequests jobs) {
            this.jobs = Objects.requireNonNull(jobs, "jobs");
        }

        /** Where the schedules page reads recurring jobs from, e.g. {@code () -> runner.schedules().list()}. */
        public Builder schedules(Supplier<List<ScheduledJob>> schedules) {
            this.schedules = Objects.requireNonNull(schedules, "schedules");
            return this;
        }

        /**
         * How a recurring job is dispatched now, e.g. {@code name -> runner.schedules().trigger(name)}:
         * the schedules page then has a "Trigger now" button per schedule. Without it, none.
         */
        public Builder trigger(Function<String, JobRequest> trigger) {
            this.trigger = Objects.requireNonNull(trigger, "trigger");
            return this;
        }

        /** The address and port to listen on; port 0 picks a free one. Default 127.0.0.1:8090. */
        public Builder bind(String host, int port) {
            if (port < 0 || port > 65_535) {
                throw new InvalidSettingException(Setting.DASHBOARD_PORT.variable(), String.valueOf(port), "a TCP port, 1-65535 (0: any free port)");
            }
            this.host = Objects.requireNonNull(host, "host");
            this.port = port;
            return this;
        }

        /** Requires this token: as {@code Authorization: Bearer <token>}, or as the password of basic auth. */
        public Builder token(String token) {
            if (token != null && token.length() < MIN_TOKEN_LENGTH) {
                throw new InvalidSettingException(Setting.DASHBOARD_TOKEN.variable(), "(" + token.length() + " characters)",
                        "a token of at least " + MIN_TOKEN_LENGTH + " characters, e.g. from 'openssl rand -hex 24'");
            }
            this.token = token;
            return this;
        }

        /** Requires basic auth with this user and password. */
        public Builder basicAuth(String user, String password) {
            if (user == null || user.isEmpty() || user.contains(":") || password == null || password.isEmpty()) {
                throw new InvalidSettingException(Setting.DASHBOARD_USER.variable() + "/" + Setting.DASHBOARD_PASSWORD.variable(), user == null ? "(unset)" : user,
                        "a user name without ':' and a password, both set, or neither");
            }
            if (password.length() < MIN_TOKEN_LENGTH) {
                throw new InvalidSettingException(Setting.DASHBOARD_PASSWORD.variable(), "(" + password.length()
                        + " characters)", "a password of at least " + MIN_TOKEN_LENGTH + " characters, as for the token");
            }
            this.user = user;
            this.password = password;
            return this;
        }

        /** The address, port and credentials from the {@code JOB_RUNNER_DASHBOARD_*} settings. */
        public Builder settings(Settings settings) {
            bind(settings.string(Setting.DASHBOARD_HOST).trim(), settings.integer(Setting.DASHBOARD_PORT));
            settings.get(Setting.DASHBOARD_TOKEN).ifPresent(this::token);
            String givenUser = settings.get(Setting.DASHBOARD_USER).orElse(null);
            String givenPassword = settings.get(Setting.DASHBOARD_PASSWORD).orElse(null);
            if (givenUser != null || givenPassword != null) {
                basicAuth(givenUser, givenPassword);
            }
            return this;
        }

        /** {@link #settings(Settings)} from the process environment. */
        public Builder fromEnvironment() {
            return settings(Settings.fromEnvironment());
        }

        /**
         * Starts serving. Refuses an address other machines can reach when no credentials are set.
         *
         * @throws IllegalStateException when the bind is open without credentials, or the port is taken
         */
        public JobDashboard start() {
            boolean loopback = isLoopback(host);
            if (!loopback && token == null && user == null) {
                throw new IllegalStateException("The dashboard would listen on " + host + ", which other machines can"
                        + " reach, without credentials: set " + Setting.DASHBOARD_TOKEN.variable() + " (or " + Setting.DASHBOARD_USER.variable() + " and " + Setting.DASHBOARD_PASSWORD.variable() + "), or bind"
                        + " to 127.0.0.1 and reach it through an SSH tunnel or an authenticating proxy");
            }
            limitRequestTimes();
            HttpServer server;
            try {
                server = HttpServer.create(new InetSocketAddress(host, port), 50);
            } catch (IOException e) {
                throw new IllegalStateException("The dashboard cannot listen on " + host + ":" + port + " (" + e.getMessage()
                        + "): choose another port with " + Setting.DASHBOARD_PORT.variable(), e);
            }
            int bound = server.getAddress().getPort();
            Set<String> hosts = loopback ? Set.of("127.0.0.1:" + bound, "localhost:" + bound, "[::1]:" + bound) : null;
            Access access = new Access(token, user, password, hosts);
            ExecutorService threads = Executors.newFixedThreadPool(THREADS, daemonThreads("jobrunner-dashboard-"));
            server.setExecutor(threads);
            server.createContext("/", new Routes(jobs, schedules, trigger, access));
            server.start();
            String shown = host.contains(":") ? "[" + host + "]" : host;
            URI uri = URI.create("http://" + shown + ":" + bound + "/");
            log.info("Job dashboard on {} over {}{}", uri, describe(jobs),
                    access.requiresCredentials() ? " (credentials required)" : "");
            if (!loopback) {
                log.warn("The dashboard on {} speaks plain HTTP to other machines: its credentials cross the network"
                        + " readable. Put it behind a proxy that terminates TLS, or reach it through an SSH tunnel", uri);
            }
            return new JobDashboard(server, threads, uri);
        }

        private static String describe(JobRequests jobs) {
            try {
                return jobs.description();
            } catch (JobStoreException e) {
                return "a store that cannot be reached yet";
            }
        }

        private static boolean isLoopback(String host) {
            try {
                return InetAddress.getByName(host).isLoopbackAddress();
            } catch (UnknownHostException e) {
                throw new InvalidSettingException(Setting.DASHBOARD_HOST.variable(), host, "an address of this machine, e.g. 127.0.0.1 or 0.0.0.0");
            }
        }
    }

    /**
     * Bounds the time a client may take to send its request (so slow connections cannot hold the
     * threads before they are even authenticated) and the time an answer may take, through the JDK
     * HTTP server's own properties, unless the application set them.
     */
    private static void limitRequestTimes() {
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", String.valueOf(MAX_REQUEST_SECONDS));
        }
        if (System.getProperty("sun.net.httpserver.maxRspTime") == null) {
            System.setProperty("sun.net.httpserver.maxRspTime", String.valueOf(MAX_RESPONSE_SECONDS));
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}

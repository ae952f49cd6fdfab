package io.jobrunner.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.jobrunner.Setting;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRequests;
import io.jobrunner.JobStatus;
import io.jobrunner.JobStoreException;
import io.jobrunner.Pause;
import io.jobrunner.ScheduledJob;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request to the dashboard: access checked, then routed to a page, the JSON API or an
 * asset. Pages and API answer GET; retry and cancel answer POST with the CSRF token (a form field
 * for pages, the {@code X-CSRF-Token} header for the API). Thread-safe.
 */
final class Routes implements HttpHandler {

    private static final Logger log = LoggerFactory.getLogger(Routes.class);
    private static final Pattern JOB = Pattern.compile("/(api/)?jobs/(\\d{1,18})(/(retry|cancel))?");
    private static final Pattern TRIGGER = Pattern.compile("/(api/)?schedules/([^/]{1,400})/trigger");
    private static final Pattern PAUSE = Pattern.compile("/(api/)?pauses/(queue|type)/([^/]{1,400})/(pause|resume)");
    private static final String SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final int MAX_FORM_BYTES = 4_096;

    private final JobRequests jobs;
    private final Access access;
    private final Pages pages;
    private final Api api;
    private final Function<String, JobRequest> trigger;

    /** @param trigger how a recurring job is dispatched now, or {@code null} for no trigger button */
    Routes(JobRequests jobs, Supplier<List<ScheduledJob>> schedules, Function<String, JobRequest> trigger,
           Access access) {
        this.jobs = jobs;
        this.access = access;
        this.trigger = trigger;
        this.api = new Api(jobs, schedules);
        this.pages = new Pages(jobs, schedules, access.csrfToken(), api, trigger != null);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.getResponseHeaders().set("Content-Security-Policy", SECURITY_POLICY);
            switch (access.check(exchange)) {
                case ADMITTED -> {
                }
                case FOREIGN_HOST -> {
                    send(exchange, 403, "text/plain", "This dashboard listens on this machine's loopback address and"
                            + " answers only requests addressed to it as 127.0.0.1 or localhost (this one named "
                            + exchange.getRequestHeaders().getFirst("Host") + "). To reach it under another name, bind it"
                            + " there with " + Setting.DASHBOARD_HOST.variable() + " and set credentials, or use an SSH"
                            + " tunnel to 127.0.0.1");
                    return;
                }
                case SIGN_IN -> {
                    exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"jobrunner\", charset=\"UTF-8\"");
                    send(exchange, 401, "text/plain", "Sign in with the dashboard's user and password, or its token as the"
                            + " password");
                    return;
                }
                case TOO_MANY_FAILURES -> {
                    send(exchange, 429, "text/plain", "Too many failed sign-ins from this address: wait a minute");
                    return;
                }
            }
            try {
                route(exchange);
            } catch (IllegalArgumentException e) {
                reply(exchange, 400, e.getMessage());
            } catch (JobStoreException e) {
                log.warn("Dashboard request {} failed: {}", exchange.getRequestURI(), e.getMessage());
                reply(exchange, 503, "The job store did not answer; the dashboard's log has the details");
            } catch (RuntimeException e) {
                log.error("Dashboard request {} failed", exchange.getRequestURI(), e);
                reply(exchange, 500, "The dashboard failed on this request; its log has the details");
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        Map<String, String> query = parameters(exchange.getRequestURI().getRawQuery());
        Matcher job = JOB.matcher(path);
        Matcher schedule = TRIGGER.matcher(exchange.getRequestURI().getRawPath());  // a name may hold an encoded '/'
        Matcher pause = PAUSE.matcher(exchange.getRequestURI().getRawPath());
        Notice notice = Notice.of(query.get("done"));
        if (path.startsWith("/assets/")) {
            asset(exchange, path.substring("/assets/".length()));
        } else if (job.matches()) {
            job(exchange, method, job.group(1) != null, Long.parseLong(job.group(2)), job.group(4), notice);
        } else if (schedule.matches()) {
            trigger(exchange, method, schedule.group(1) != null, schedule.group(2));
        } else if (pause.matches()) {
            pause(exchange, method, pause.group(1) != null, pause.group(2), pause.group(3), pause.group(4));
        } else if (!method.equals("GET") && !method.equals("HEAD")) {
            reply(exchange, 405, method + " " + path + " is not an action; actions are POST /jobs/ID/retry and /cancel,"
                    + " /schedules/NAME/trigger, and /pauses/queue|type/NAME/pause|resume");
        } else {
            switch (path) {
                case "/" -> html(exchange, 200, pages.overview(notice));
                case "/jobs" -> html(exchange, 200, pages.jobs(query, notice));
                case "/failed" -> html(exchange, 200, pages.failed(notice));
                case "/schedules" -> html(exchange, 200, pages.schedules(notice));
                case "/workers" -> html(exchange, 200, pages.workers());
                case "/api/workers" -> json(exchange, 200, api.workers());
                case "/api/overview" -> json(exchange, 200, api.overview());
                case "/api/jobs" -> json(exchange, 200, api.jobs(query));
                case "/api/schedules" -> json(exchange, 200, api.schedules());
                default -> reply(exchange, 404, "No page at " + path);
            }
        }
    }

    private void job(HttpExchange exchange, String method, boolean isApi, long id, String action, Notice notice)
            throws IOException {
        if (action == null) {
            if (!method.equals("GET") && !method.equals("HEAD")) {
                reply(exchange, 405, "Only GET reads a job; POST to /jobs/" + id + "/retry or /cancel acts on it");
                return;
            }
            Optional<JobRequest> request = jobs.find(id);
            if (request.isEmpty()) {
                reply(exchange, 404, "No job request " + id + " (purged, or never stored)");
            } else if (isApi) {
                json(exchange, 200, api.job(request.get()));
            } else {
                html(exchange, 200, pages.job(request.get(), notice));
            }
            return;
        }
        Optional<Map<String, String>> form = actionForm(exchange, method, isApi, action);
        if (form.isEmpty()) {
            return;
        }
        Optional<JobRequest> acted = action.equals("retry") ? jobs.retry(id) : jobs.cancel(id);
        if (acted.isEmpty()) {
            String now = jobs.find(id).map(r -> state(r.status())).orElse("does not exist");
            reply(exchange, 409, "Job request " + id + " " + now + ": " + (action.equals("retry")
                    ? "only failed or cancelled requests can be retried" : "only waiting, queued or running requests can be cancelled"));
            return;
        }
        log.info("Dashboard: job request {} {}", id, action.equals("retry") ? "queued again" : "cancel requested");
        if (isApi) {
            json(exchange, 200, api.job(acted.get()));
        } else {
            String back = form.get().getOrDefault("back", "/jobs/" + id);
            seeOther(exchange, OWN_PATH.matcher(back).matches() ? back : "/jobs/" + id,
                    action.equals("retry") ? Notice.RETRIED : Notice.CANCEL_REQUESTED);
        }
    }

    /** {@code POST /schedules/NAME/trigger}: the recurring job's job, dispatched now; the page goes to that job. */
    private void trigger(HttpExchange exchange, String method, boolean isApi, String rawName) throws IOException {
        if (trigger == null) {
            reply(exchange, 404, "This dashboard cannot trigger recurring jobs (it was started without a trigger)");
            return;
        }
        if (actionForm(exchange, method, isApi, "trigger").isEmpty()) {
            return;
        }
        String name = URLDecoder.decode(rawName, StandardCharsets.UTF_8);
        JobRequest dispatched;
        try {
            dispatched = trigger.apply(name);
        } catch (IllegalArgumentException | IllegalStateException e) {  // no such recurring job
            reply(exchange, 404, e.getMessage());
            return;
        }
        log.info("Dashboard: recurring job '{}' triggered, job request {}", name, dispatched.id());
        if (isApi) {
            json(exchange, 200, api.job(dispatched));
        } else {
            seeOther(exchange, "/jobs/" + dispatched.id(), Notice.TRIGGERED);
        }
    }

    /** {@code POST /pauses/queue|type/NAME/pause|resume}: a queue or job type held or let go; back to the overview. */
    private void pause(HttpExchange exchange, String method, boolean isApi, String kind, String rawName, String action)
            throws IOException {
        Optional<Map<String, String>> form = actionForm(exchange, method, isApi, action);
        if (form.isEmpty()) {
            return;
        }
        String name = URLDecoder.decode(rawName, StandardCharsets.UTF_8);
        Pause pause = kind.equals("queue") ? Pause.queue(name) : Pause.jobType(name);
        boolean changed = action.equals("pause") ? jobs.pause(pause) : jobs.resume(pause);
        log.info("Dashboard: {} {}{}", pause, action.equals("pause") ? "paused" : "resumed", changed ? "" : " (no change)");
        if (isApi) {
            json(exchange, 200, Map.of("changed", changed, "paused", jobs.paused().stream().map(JobJson::paused).toList()));
        } else {
            seeOther(exchange, "/", action.equals("pause") ? Notice.PAUSED : Notice.RESUMED);
        }
    }

    /**
     * The form of an action (empty for the API), once the method is POST and the CSRF token is this
     * dashboard's; else answered with what is wrong, and empty.
     */
    private Optional<Map<String, String>> actionForm(HttpExchange exchange, String method, boolean isApi, String action)
            throws IOException {
        if (!method.equals("POST")) {
            reply(exchange, 405, action + " is an action: POST it with the CSRF token");
            return Optional.empty();
        }
        Map<String, String> form = isApi ? Map.of() : parameters(readForm(exchange));
        String token = isApi ? exchange.getRequestHeaders().getFirst("X-CSRF-Token") : form.get("csrf");
        Optional<String> refused = access.refusal(exchange, token);
        if (refused.isPresent()) {
            reply(exchange, 403, "This " + action + " " + refused.get() + ": reload the page and try again");
            return Optional.empty();
        }
        return Optional.of(form);
    }

    /** Redirects to {@code path} with the notice the page shows there, saying what was done. */
    private static void seeOther(HttpExchange exchange, String path, Notice notice) throws IOException {
        exchange.getResponseHeaders().set("Location", path + (path.contains("?") ? "&" : "?") + "done=" + notice.key());
        send(exchange, 303, "text/plain", "");
    }

    /**
     * A path of this dashboard to go back to: a slash and then letters, digits and the few marks its
     * own links use — never another host ({@code //evil.example}, {@code /\evil.example}, {@code http:}).
     */
    private static final Pattern OWN_PATH = Pattern.compile("/([A-Za-z0-9][A-Za-z0-9/_.?=&%-]*)?");

    /** How a request stands, in words: "is queued", "has succeeded"… */
    static String state(JobStatus status) {
        return switch (status) {
            case WAITING -> "is waiting for the jobs it depends on";
            case QUEUED -> "is queued";
            case RUNNING -> "is running";
            case SUCCEEDED -> "has succeeded";
            case FAILED -> "has failed";
            case CANCELLED -> "was cancelled";
        };
    }

    private void reply(HttpExchange exchange, int status, String message) throws IOException {
        if (exchange.getRequestURI().getPath().startsWith("/api/")) {
            json(exchange, status, Map.of("error", message, "status", status));
        } else {
            html(exchange, status, pages.problem(status, message));
        }
    }

    private static void asset(HttpExchange exchange, String name) throws IOException {
        String type = name.equals("dashboard.js") ? "text/javascript" : name.equals("dashboard.css") ? "text/css" : null;
        if (type == null) {
            send(exchange, 404, "text/plain", "No asset " + name);
            return;
        }
        try (InputStream in = Routes.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("The dashboard jar lacks its asset " + name);
            }
            exchange.getResponseHeaders().set("Cache-Control", "max-age=300");
            send(exchange, 200, type, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static void html(HttpExchange exchange, int status, String page) throws IOException {
        send(exchange, status, "text/html", page);
    }

    private static void json(HttpExchange exchange, int status, Object body) throws IOException {
        send(exchange, status, "application/json", JobJson.write(body));
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        boolean empty = bytes.length == 0 || exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, empty ? -1 : bytes.length);
        if (!empty) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static String readForm(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readNBytes(MAX_FORM_BYTES + 1);
        if (body.length > MAX_FORM_BYTES) {
            throw new IllegalArgumentException("The form is larger than " + MAX_FORM_BYTES + " bytes");
        }
        return new String(body, StandardCharsets.UTF_8);
    }

    /** {@code a=1&b=x%20y} as a map; the last of repeated names wins; blank values are left out. */
    static Map<String, String> parameters(String encoded) {
        Map<String, String> values = new HashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return values;
        }
        for (String pair : encoded.split("&")) {
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            if (!value.isBlank()) {
                values.put(name, value.trim());
            }
        }
        return values;
    }
}

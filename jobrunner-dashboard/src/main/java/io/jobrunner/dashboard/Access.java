package io.jobrunner.dashboard;

import com.sun.net.httpserver.HttpExchange;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Who may use the dashboard and which requests may act: credentials (a token, or a user and
 * password) checked on every request when configured; the Host header checked on a loopback bind,
 * so a page on another site cannot reach a local dashboard through a rebound DNS name; and a CSRF
 * token, random per server, that every POST must carry. Thread-safe.
 */
final class Access {

    /** What {@link #check} found of a request. */
    enum Verdict {
        ADMITTED,
        /** A loopback dashboard addressed by another name: DNS rebinding, or a name it was not bound to. */
        FOREIGN_HOST,
        /** Credentials are required and were missing or wrong. */
        SIGN_IN,
        /** Too many failed sign-ins from this address in the last minute. */
        TOO_MANY_FAILURES
    }

    /** Failed sign-ins one address may make per {@link #FAILURE_WINDOW_NANOS} before it is refused for a while. */
    static final int MAX_FAILURES = 10;
    private static final long FAILURE_WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();
    private final String token;
    private final String user;
    private final String password;
    private final Set<String> loopbackHosts;
    private final String csrfToken;

    /** @param loopbackHosts the Host headers accepted, or {@code null} to accept any (a non-loopback bind) */
    Access(String token, String user, String password, Set<String> loopbackHosts) {
        this.token = token;
        this.user = user;
        this.password = password;
        this.loopbackHosts = loopbackHosts;
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        this.csrfToken = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    boolean requiresCredentials() {
        return token != null || user != null;
    }

    String csrfToken() {
        return csrfToken;
    }

    /**
     * Admits a request that names an accepted host and carries the credentials, if any are set: a
     * bearer token, or basic auth with the user and password (or any user and the token as password,
     * so a browser can sign in with the token). An address with {@value #MAX_FAILURES} failed
     * sign-ins in the last minute is refused until the minute has passed, whatever it sends.
     */
    Verdict check(HttpExchange exchange) {
        if (loopbackHosts != null) {
            String host = exchange.getRequestHeaders().getFirst("Host");
            if (host == null || !loopbackHosts.contains(host.toLowerCase(Locale.ROOT))) {
                return Verdict.FOREIGN_HOST;
            }
        }
        if (!requiresCredentials()) {
            return Verdict.ADMITTED;
        }
        String address = exchange.getRemoteAddress().getAddress().getHostAddress();
        Deque<Long> recent = failures.get(address);
        long now = System.nanoTime();
        if (recent != null && recentFailures(recent, now) >= MAX_FAILURES) {
            return Verdict.TOO_MANY_FAILURES;
        }
        if (signedIn(exchange)) {
            return Verdict.ADMITTED;
        }
        Deque<Long> mine = failures.computeIfAbsent(address, a -> new ArrayDeque<>());
        synchronized (mine) {
            mine.addLast(now);
        }
        if (failures.size() > 10_000) {
            failures.entrySet().removeIf(entry -> recentFailures(entry.getValue(), now) == 0);
        }
        return Verdict.SIGN_IN;
    }

    private static int recentFailures(Deque<Long> times, long now) {
        synchronized (times) {
            while (!times.isEmpty() && now - times.peekFirst() > FAILURE_WINDOW_NANOS) {
                times.removeFirst();
            }
            return times.size();
        }
    }

    private boolean signedIn(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null) {
            return false;
        }
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return token != null && same(header.substring(7).trim(), token);
        }
        if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return false;
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return false;
            }
            String givenUser = decoded.substring(0, colon);
            String givenPassword = decoded.substring(colon + 1);
            boolean asUser = user != null && same(givenUser, user) & same(givenPassword, password);
            boolean withToken = token != null && same(givenPassword, token);
            return asUser || withToken;
        }
        return false;
    }

    /**
     * Why a state-changing request may not act, or empty when it may: it carries this server's CSRF
     * token and is not sent from another site.
     */
    Optional<String> refusal(HttpExchange exchange, String presentedToken) {
        String fetchSite = exchange.getRequestHeaders().getFirst("Sec-Fetch-Site");
        if (fetchSite != null && fetchSite.equalsIgnoreCase("cross-site")) {
            return Optional.of("comes from another site");
        }
        if (presentedToken == null || presentedToken.isBlank()) {
            return Optional.of("lacks the dashboard's CSRF token");
        }
        if (!same(presentedToken, csrfToken)) {
            return Optional.of("carries a CSRF token that is not this dashboard's (the dashboard restarted since the"
                    + " page was loaded, or the token was made up)");
        }
        return Optional.empty();
    }

    private static boolean same(String given, String expected) {
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }
}

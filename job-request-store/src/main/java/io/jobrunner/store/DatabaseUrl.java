package io.jobrunner.store;

import io.jobrunner.InvalidSettingException;
import io.jobrunner.Setting;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL location from {@code DATABASE_URL}, in either of the forms people paste:
 * {@code jdbc:postgresql://host:5432/db?user=u} or {@code postgres://user:pass@host:5432/db}.
 * The database name is required: the driver would otherwise quietly pick one. Immutable.
 *
 * @param jdbcUrl  the JDBC URL, without user and password when they came in the URI form
 * @param user     the user from the URI form, or {@code null}
 * @param password the password from the URI form, or {@code null}
 */
public record DatabaseUrl(String jdbcUrl, String user, String password) {

    private static final Pattern JDBC = Pattern.compile("jdbc:postgresql://([^/?]*)(/([^?]*))?(\\?.*)?");

    public static DatabaseUrl parse(String value) {
        if (value.startsWith("jdbc:postgresql:")) {
            Matcher jdbc = JDBC.matcher(value);
            if (!jdbc.matches() || jdbc.group(1).isEmpty()) {
                throw invalid(value, "no host");
            }
            if (jdbc.group(3) == null || jdbc.group(3).isEmpty()) {
                throw invalid(value, "no database name after the host");
            }
            return new DatabaseUrl(value, null, null);
        }
        if (!value.startsWith("postgres://") && !value.startsWith("postgresql://")) {
            throw invalid(value, "not a PostgreSQL URL");
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw invalid(value, "not a valid URI (" + e.getReason() + ")");
        }
        if (uri.getHost() == null) {
            throw invalid(value, "no host");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
        }
        String database = uri.getRawPath() == null || uri.getRawPath().length() <= 1 ? "" : uri.getRawPath().substring(1);
        if (database.isEmpty()) {
            throw invalid(value, "no database name after the host");
        }
        String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + "/"
                + database + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
        return new DatabaseUrl(jdbc, user, password);
    }

    /** The host (or hosts, as written) of the JDBC URL. */
    public String host() {
        String authority = authority();
        int colon = authority.lastIndexOf(':');
        return colon < 0 || authority.endsWith("]") ? authority : authority.substring(0, colon);
    }

    /** The port of the JDBC URL, 5432 when none is written. */
    public int port() {
        String authority = authority();
        int colon = authority.lastIndexOf(':');
        if (colon < 0 || authority.endsWith("]")) {
            return 5432;
        }
        try {
            return Integer.parseInt(authority.substring(colon + 1));
        } catch (NumberFormatException e) {
            return 5432;
        }
    }

    /** The database name of the JDBC URL. */
    public String database() {
        Matcher jdbc = JDBC.matcher(jdbcUrl);
        return jdbc.matches() && jdbc.group(3) != null ? decode(jdbc.group(3)) : "";
    }

    private String authority() {
        Matcher jdbc = JDBC.matcher(jdbcUrl);
        return jdbc.matches() ? jdbc.group(1) : "";
    }

    /** The value with any password replaced by {@code ***}, fit for error messages and logs. */
    public static String redact(String value) {
        return value.replaceAll("(://[^:/@]+:)[^@]*@", "$1***@").replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    private static InvalidSettingException invalid(String value, String problem) {
        return new InvalidSettingException(Setting.DATABASE_URL.variable(), redact(value), problem + ": expected "
                + "jdbc:postgresql://host:5432/db?user=u or postgres://user:password@host:5432/db; unset it to use the "
                + "embedded store");
    }

    @Override
    public String toString() {
        return "DatabaseUrl[" + redact(jdbcUrl) + (user == null ? "" : ", user=" + user) + "]";
    }
}

package io.jobrunner.store;

import io.jobrunner.InvalidSettingException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A PostgreSQL location from {@code DATABASE_URL}, in either of the forms people paste:
 * {@code jdbc:postgresql://host:5432/db?user=u} or {@code postgres://user:pass@host:5432/db}.
 * Immutable.
 *
 * @param jdbcUrl  the JDBC URL, without user and password when they came in the URI form
 * @param user     the user from the URI form, or {@code null}
 * @param password the password from the URI form, or {@code null}
 */
public record DatabaseUrl(String jdbcUrl, String user, String password) {

    public static final String VARIABLE = "DATABASE_URL";

    public static DatabaseUrl parse(String value) {
        if (value.startsWith("jdbc:postgresql:")) {
            return new DatabaseUrl(value, null, null);
        }
        if (!value.startsWith("postgres://") && !value.startsWith("postgresql://")) {
            throw invalid(value);
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw invalid(value);
        }
        if (uri.getHost() == null) {
            throw invalid(value);
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
        }
        String database = uri.getRawPath() == null || uri.getRawPath().length() <= 1 ? "" : uri.getRawPath().substring(1);
        String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + "/"
                + database + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
        return new DatabaseUrl(jdbc, user, password);
    }

    /** The value with any password replaced by {@code ***}, fit for error messages and logs. */
    public static String redact(String value) {
        return value.replaceAll("(://[^:/@]+:)[^@]*@", "$1***@").replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    private static InvalidSettingException invalid(String value) {
        return new InvalidSettingException(VARIABLE, redact(value), "expected jdbc:postgresql://host:5432/db?user=u "
                + "or postgres://user:password@host:5432/db; unset it to use the embedded store");
    }

    @Override
    public String toString() {
        return "DatabaseUrl[" + redact(jdbcUrl) + (user == null ? "" : ", user=" + user) + "]";
    }
}

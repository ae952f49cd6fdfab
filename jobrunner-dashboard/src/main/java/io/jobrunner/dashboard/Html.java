package io.jobrunner.dashboard;

import io.jobrunner.JobStatus;
import java.time.Instant;

/**
 * Builds one HTML page. Every value from a store goes through {@link #text}, which escapes it, so a
 * job type or an error holding markup is shown as the characters it is. Not thread-safe.
 */
final class Html {

    private final StringBuilder out = new StringBuilder(8_192);

    /** Appends markup written in this code, never data. */
    Html raw(String markup) {
        out.append(markup);
        return this;
    }

    /** Appends a value as text: {@code & < > " '} escaped, {@code null} as nothing. */
    Html text(Object value) {
        out.append(escape(value));
        return this;
    }

    static String escape(Object value) {
        if (value == null) {
            return "";
        }
        String text = value.toString();
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }

    /** A status as a coloured label. */
    Html status(JobStatus status) {
        return raw("<span class=\"status status-").raw(status.dbValue()).raw("\">").text(status.dbValue()).raw("</span>");
    }

    /** A time as how long ago (or ahead) it is, with the exact instant on hover. */
    Html time(Instant instant, Instant now) {
        if (instant == null) {
            return raw("<span class=\"muted\">—</span>");
        }
        return raw("<time datetime=\"").text(instant).raw("\" title=\"").text(instant).raw("\">")
                .text(TimeText.relative(instant, now)).raw("</time>");
    }

    /** A POST form with one button, carrying the CSRF token. */
    Html action(String path, String label, String csrf, String back) {
        raw("<form method=\"post\" class=\"action\" action=\"").text(path).raw("\">")
                .raw("<input type=\"hidden\" name=\"csrf\" value=\"").text(csrf).raw("\">");
        if (back != null) {
            raw("<input type=\"hidden\" name=\"back\" value=\"").text(back).raw("\">");
        }
        return raw("<button type=\"submit\">").text(label).raw("</button></form>");
    }

    @Override
    public String toString() {
        return out.toString();
    }
}

package io.jobrunner.cli;

/**
 * Text from the store (payloads, log lines, errors) made safe to print to a terminal: control
 * characters — an escape sequence in a log line could rewrite the screen or the title bar — are
 * shown as {@code ?}. Stateless.
 */
final class Printable {

    private Printable() {
    }

    /** The text with every control character but newline and tab replaced; {@code null} stays {@code null}. */
    static String lines(String text) {
        return text == null ? null : replace(text, true);
    }

    /** The text on one line: newlines become spaces, other control characters {@code ?}. */
    static String line(String text) {
        return text == null ? null : replace(text.replace("\r\n", " ").replace('\n', ' '), false);
    }

    private static String replace(String text, boolean keepLines) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = (c < 0x20 && !(keepLines && (c == '\n' || c == '\t')) && c != '\t')
                    || (c >= 0x7f && c <= 0x9f);
            if (control) {
                if (out == null) {
                    out = new StringBuilder(text.length()).append(text, 0, i);
                }
                out.append('?');
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }
}

package io.jobrunner;

/** The configuration reference's table, generated from {@link Setting}. */
final class SettingsTable {

    static final String BEGIN = "<!-- settings:begin (generated from io.jobrunner.Setting; do not edit by hand) -->";
    static final String END = "<!-- settings:end -->";

    private SettingsTable() {
    }

    static String markdown() {
        StringBuilder table = new StringBuilder(BEGIN).append("\n\n")
                .append("| variable | kind | default | read by | what it does |\n")
                .append("|---|---|---|---|---|\n");
        for (Setting setting : Setting.values()) {
            table.append("| `").append(setting.variable()).append("` | ").append(setting.kind().description())
                    .append(" | ").append(setting.defaultValue().map(value -> "`" + value + "`").orElse("—"))
                    .append(" | ").append(setting.readBy())
                    .append(" | ").append(setting.description().replace("|", "\\|")).append(" |\n");
        }
        return table.append("\n").append(END).toString();
    }
}

package io.jobrunner;

import java.util.Set;

/** A task or job name that no registered handler has. */
public final class UnknownHandlerException extends JobRunnerException {
    private final String kind;
    private final String name;
    private final Set<String> known;

    public UnknownHandlerException(String kind, String name, Set<String> known) {
        super("No " + kind + " handler named '" + name + "'; known " + kind + " names: "
                + (known.isEmpty() ? "none" : String.join(", ", known))
                + ". Register a " + (kind.equals("task") ? "TaskHandler" : "JobHandler") + " for '" + name
                + "' or fix the name");
        this.kind = kind;
        this.name = name;
        this.known = Set.copyOf(known);
    }

    /** {@code "task"} or {@code "job"}. */
    public String kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    public Set<String> known() {
        return known;
    }
}

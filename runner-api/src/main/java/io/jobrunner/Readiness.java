package io.jobrunner;

import java.util.List;

/**
 * What a runner's readiness check found ({@link JobRunner#readiness()}): ready, or each problem,
 * naming what could not be reached and why — for a health endpoint. Immutable.
 *
 * @param problems one line per problem; empty when ready
 */
public record Readiness(List<String> problems) {

    public static final Readiness READY = new Readiness(List.of());

    public Readiness {
        problems = List.copyOf(problems);
    }

    public static Readiness of(List<String> problems) {
        return problems.isEmpty() ? READY : new Readiness(problems);
    }

    public boolean ready() {
        return problems.isEmpty();
    }
}

package io.jobrunner.dashboard;

import java.util.Optional;

/**
 * What a page says after an action sent it there ({@code ?done=retried}): a fixed text per action,
 * never text taken from the address.
 */
enum Notice {
    NONE("", null),
    RETRIED("retried", "Queued again, with its history kept: it runs when a worker takes it. This page follows it."),
    CANCEL_REQUESTED("cancelled", "Cancel requested: a queued job is cancelled now; a running one stops when its"
            + " handler next checks, and ends cancelled."),
    TRIGGERED("triggered", "Dispatched now, outside its schedule; the schedule's next run is unchanged."),
    PAUSED("paused", "Paused for every process sharing the store: its queued jobs wait until it is resumed; running"
            + " ones finish."),
    RESUMED("resumed", "Resumed: its queued jobs start as workers take them.");

    private final String key;
    private final String text;

    Notice(String key, String text) {
        this.key = key;
        this.text = text;
    }

    /** The notice an address's {@code done} parameter names; none for an absent or unknown one. */
    static Notice of(String key) {
        for (Notice notice : values()) {
            if (notice != NONE && notice.key.equals(key)) {
                return notice;
            }
        }
        return NONE;
    }

    String key() {
        return key;
    }

    Optional<String> text() {
        return Optional.ofNullable(text);
    }
}

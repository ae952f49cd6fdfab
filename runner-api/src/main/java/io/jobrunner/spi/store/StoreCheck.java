package io.jobrunner.spi.store;

import java.util.List;

/**
 * What {@link JobRequestStore#check()} looked at and what it found wrong, for {@code jobrunner check}.
 * Immutable.
 *
 * @param checked  what was checked, one line each (e.g. "1,204 job requests read whole")
 * @param problems what is wrong, one line each, naming the row and the way out; empty when nothing is
 */
public record StoreCheck(List<String> checked, List<String> problems) {

    public StoreCheck {
        checked = List.copyOf(checked);
        problems = List.copyOf(problems);
    }

    /** True when the check found nothing wrong. */
    public boolean ok() {
        return problems.isEmpty();
    }
}

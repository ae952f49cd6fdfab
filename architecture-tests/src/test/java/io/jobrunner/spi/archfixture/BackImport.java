package io.jobrunner.spi.archfixture;

import io.jobrunner.internal.RetryBackoff;
import java.time.Duration;

/** An SPI-package class that names an engine type: what the architecture rules must refuse. */
public final class BackImport {

    private BackImport() {
    }

    public static RetryBackoff backoff() {
        return new RetryBackoff(Duration.ZERO, Duration.ZERO);
    }
}

package io.jobrunner.dashboard;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard over HTTP on the embedded store. */
class EmbeddedDashboardHttpTest extends DashboardHttpContract {

    @TempDir
    Path directory;

    @Override
    protected DashboardFixture openFixture() {
        return DashboardFixture.embedded(directory);
    }
}

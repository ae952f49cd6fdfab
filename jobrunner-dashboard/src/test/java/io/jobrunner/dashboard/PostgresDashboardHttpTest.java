package io.jobrunner.dashboard;

import io.jobrunner.testkit.PostgresFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The dashboard over HTTP on PostgreSQL. */
class PostgresDashboardHttpTest extends DashboardHttpContract {

    private static PostgresFixture postgres;

    @BeforeAll
    static void createSchema() {
        postgres = PostgresFixture.forTestClass(PostgresDashboardHttpTest.class);
    }

    @AfterAll
    static void dropSchema() {
        postgres.close();
    }

    @Override
    protected DashboardFixture openFixture() {
        return DashboardFixture.onPostgres(postgres);
    }
}

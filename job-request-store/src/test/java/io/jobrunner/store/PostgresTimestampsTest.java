package io.jobrunner.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.testkit.PostgresFixture;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGStatement;

class PostgresTimestampsTest {

    private static final List<String> VALUES = List.of("now()", "'2026-12-06 07:28:00+00'", "'2026-12-06 07:28:00.1+00'",
            "'2026-12-06 07:28:00.123456+00'", "'2026-12-06 23:59:59.000001-11'", "'1850-01-01 00:00:00+00'",
            "'1970-01-01 00:00:00+00'", "'0001-01-01 00:00:00+00'", "'9999-12-31 23:59:59.999999+00'",
            "'10000-01-01 00:00:00+00'", "'0044-03-15 12:00:00+00 BC'", "'infinity'", "'-infinity'");

    private static PostgresFixture postgres;

    @BeforeAll
    static void schema() {
        postgres = PostgresFixture.forTestClass(PostgresTimestampsTest.class);
    }

    @AfterAll
    static void drop() {
        postgres.close();
    }

    /** In zones whose offsets have minutes (+05:30, -03:30) or, in 1850, seconds (+00:19:32). */
    @Test
    void readsEveryTimestampAsTheDriverDoesInTextAndInBinary() throws Exception {
        StringBuilder select = new StringBuilder("SELECT 0");
        for (int i = 0; i < VALUES.size(); i++) {
            select.append(", cast(").append(VALUES.get(i)).append(" AS timestamptz) AS c").append(i + 1);
        }
        for (String zone : List.of("UTC", "Asia/Kolkata", "America/St_Johns", "Europe/Amsterdam")) {
            try (Connection connection = postgres.connect(); Statement set = connection.createStatement()) {
                set.execute("SET TIME ZONE '" + zone + "'");
                for (int run = 0; run < 3; run++) {  // the third run of a prepared statement reads binary values
                    try (PreparedStatement statement = connection.prepareStatement(select.toString())) {
                        statement.unwrap(PGStatement.class).setPrepareThreshold(run == 0 ? 0 : 1);
                        try (ResultSet rs = statement.executeQuery()) {
                            rs.next();
                            for (int i = 1; i <= VALUES.size(); i++) {
                                Instant expected = rs.getObject("c" + i, OffsetDateTime.class).toInstant();
                                assertThat(SqlDialect.POSTGRESQL.instant(rs, "c" + i))
                                        .as("%s in %s (%s)", VALUES.get(i - 1), zone, rs.getString("c" + i)).isEqualTo(expected);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void leavesWhatItDoesNotKnowToTheDriver() {
        assertThat(PostgresTimestamps.parse("2026-12-06 07:28:00.5+05:30"))
                .isEqualTo(Instant.parse("2026-12-06T01:58:00.5Z"));
        assertThat(PostgresTimestamps.parse("1850-01-01 00:00:00+00:19:32")).isEqualTo(Instant.parse("1849-12-31T23:40:28Z"));
        for (String other : List.of("infinity", "-infinity", "10000-01-01 00:00:00+00", "0044-03-15 12:00:00+00 BC",
                "2026-12-06T07:28:00+00", "2026-12-06 07:28:00", "2026-12-06 07:28:00.+00", "2026-13-06 07:28:00+00",
                "2026-02-30 07:28:00+00", "2026-12-06 24:00:00+00", "2026-12-06 07:28:00+0", "2026-12-06 07:28:00+00:3",
                "2026-12-06 07:28:00+00-30", "2026-12-06 07:28:00.1234567890+00")) {
            assertThat(PostgresTimestamps.parse(other)).as(other).isNull();
        }
    }
}

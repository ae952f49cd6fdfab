package io.jobrunner.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobrunner.InvalidSettingException;
import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

    @Test
    void aJdbcUrlIsUsedAsItIs() {
        DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
        assertThat(url.user()).isNull();
    }

    @Test
    void aPostgresUriBecomesAJdbcUrlWithItsCredentials() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://app:s%40cret@db.internal:6543/jobs?sslmode=require");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/jobs?sslmode=require");
        assertThat(url.user()).isEqualTo("app");
        assertThat(url.password()).isEqualTo("s@cret");
        assertThat(url.toString()).doesNotContain("s@cret");
    }

    @Test
    void thePostgresqlSchemeAndAMissingPortWork() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://app@localhost/jobs");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost/jobs");
        assertThat(url.user()).isEqualTo("app");
        assertThat(url.password()).isNull();
    }

    @Test
    void anythingElseIsRefusedWithTheFormsThatWorkAndNoPassword() {
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://root:hunter2@localhost/db"))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("DATABASE_URL")
                .hasMessageContaining("postgres://user:password@host:5432/db")
                .hasMessageContaining("jdbc:postgresql://")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void aUrlWithoutADatabaseNameIsRefusedInsteadOfUsingADefaultDatabase() {
        for (String value : new String[] {"postgres://app:pw@db.internal:5432", "postgres://db.internal:5432/",
                "jdbc:postgresql://db.internal:5432/", "jdbc:postgresql://db.internal:5432?user=app"}) {
            assertThatThrownBy(() -> DatabaseUrl.parse(value))
                    .isInstanceOf(InvalidSettingException.class)
                    .hasMessageContaining("DATABASE_URL")
                    .hasMessageContaining("no database name");
        }
    }

    @Test
    void hostPortAndDatabaseAreReadFromEitherForm() {
        DatabaseUrl uri = DatabaseUrl.parse("postgres://app@db.internal:6543/jobs");
        assertThat(uri.host()).isEqualTo("db.internal");
        assertThat(uri.port()).isEqualTo(6543);
        assertThat(uri.database()).isEqualTo("jobs");
        DatabaseUrl jdbc = DatabaseUrl.parse("jdbc:postgresql://localhost/test?user=postgres");
        assertThat(jdbc.host()).isEqualTo("localhost");
        assertThat(jdbc.port()).isEqualTo(5432);
        assertThat(jdbc.database()).isEqualTo("test");
    }
}

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
}

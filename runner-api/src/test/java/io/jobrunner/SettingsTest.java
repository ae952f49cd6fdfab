package io.jobrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobrunner.spi.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

    @Test
    void durationsReadInEveryDocumentedForm() {
        Settings settings = Settings.of(Map.of("A", "250ms", "B", "30s", "C", "5m", "D", "2h", "E", "45", "F", "PT1M", "G", "7d"));
        assertThat(settings.duration("A", Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
        assertThat(settings.duration("B", Duration.ZERO)).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.duration("C", Duration.ZERO)).isEqualTo(Duration.ofMinutes(5));
        assertThat(settings.duration("D", Duration.ZERO)).isEqualTo(Duration.ofHours(2));
        assertThat(settings.duration("E", Duration.ZERO)).isEqualTo(Duration.ofSeconds(45));
        assertThat(settings.duration("F", Duration.ZERO)).isEqualTo(Duration.ofMinutes(1));
        assertThat(settings.duration("G", Duration.ZERO)).isEqualTo(Duration.ofDays(7));
        assertThat(settings.duration("UNSET", Duration.ofSeconds(9))).isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void badValuesNameTheVariableTheValueAndTheExpectedForm() {
        Settings settings = Settings.of(Map.of("T", "soon", "N", "-2", "F", "maybe"));
        assertThatThrownBy(() -> settings.duration("T", Duration.ofSeconds(30)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("T='soon'").hasMessageContaining("250ms, 30s");
        assertThatThrownBy(() -> settings.integer("N", 4, 1))
                .hasMessageContaining("N='-2'").hasMessageContaining("at least 1");
        assertThatThrownBy(() -> settings.flag("F", false))
                .hasMessageContaining("F='maybe'").hasMessageContaining("true or false");
    }

    @Test
    void flagsAcceptTheUsualSpellings() {
        Settings settings = Settings.of(Map.of("A", "TRUE", "B", "1", "C", "no", "D", "off"));
        assertThat(settings.flag("A", false)).isTrue();
        assertThat(settings.flag("B", false)).isTrue();
        assertThat(settings.flag("C", true)).isFalse();
        assertThat(settings.flag("D", true)).isFalse();
    }
}

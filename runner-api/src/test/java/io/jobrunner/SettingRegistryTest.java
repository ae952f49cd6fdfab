package io.jobrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.jobrunner.spi.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SettingRegistryTest {

    private static final Path CONFIGURATION_DOC = Path.of("..", "docs", "configuration.md");

    @Test
    void aMisspeltVariableIsReportedWithTheClosestSetting() {
        Logger logger = (Logger) LoggerFactory.getLogger(Settings.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            JobRunnerConfig config = JobRunners.builder()
                    .environment(Map.of("JOB_RUNNER_CONCURENCY", "4", "JOB_RUNNER_STORE", "memory")).config();
            assertThat(config.runner()).isEqualTo("inprocess-async");
        } finally {
            logger.detachAppender(appender);
        }
        assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
                .contains("JOB_RUNNER_CONCURENCY is not a jobrunner setting and is ignored; did you mean "
                        + "JOB_RUNNER_CONCURRENCY?");
    }

    @Test
    void strictRefusesAMisspeltVariableBeforeAnythingStarts() {
        assertThatThrownBy(() -> JobRunners.builder().environment(Map.of("JOB_RUNNER_STRICT", "true",
                        "JOB_RUNNER_LEASETIME", "30s")).config())
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("JOB_RUNNER_LEASETIME")
                .hasMessageContaining("did you mean JOB_RUNNER_LEASE_TIME?");
    }

    @Test
    void aNameFarFromEverySettingPointsToTheReference() {
        assertThat(Settings.of(Map.of("JOB_RUNNER_COLOUR_OF_THE_SKY", "blue", "JOB_RUNNER_CONCURRENCY", "2"))
                .unknownVariables())
                .containsExactly("JOB_RUNNER_COLOUR_OF_THE_SKY is not a jobrunner setting and is ignored; see "
                        + "docs/configuration.md for the settings there are");
        assertThat(Settings.of(Map.of("HOME", "/root", "DATABASE_URL", "x")).unknownVariables()).isEmpty();
    }

    @Test
    void everyDefaultParsesAsItsKind() {
        Settings unset = Settings.of(Map.of());
        for (Setting setting : Setting.values()) {
            if (setting.defaultValue().isEmpty()) {
                continue;
            }
            switch (setting.kind()) {
                case FLAG -> unset.flag(setting);
                case WHOLE_NUMBER, WHOLE_NUMBER_OR_ZERO -> assertThat(unset.integer(setting))
                        .isGreaterThanOrEqualTo(setting.minimum());
                case BYTES -> assertThat(unset.bytes(setting)).isPositive();
                case DURATION, DURATION_OR_OFF -> assertThat(unset.duration(setting)).isPositive();
                default -> assertThat(unset.string(setting)).isNotBlank();
            }
        }
        assertThat(unset.duration(Setting.LEASE_TIME)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void variablesAreUniqueAndOurOwnCarryThePrefix() {
        assertThat(Arrays.stream(Setting.values()).map(Setting::variable)).doesNotHaveDuplicates();
        assertThat(Setting.of("JOB_RUNNER_CONCURRENCY")).contains(Setting.CONCURRENCY);
        assertThat(Setting.closestTo("JOB_RUNER_CONCURRENCY")).contains(Setting.CONCURRENCY);
    }

    /**
     * The configuration reference is generated from the registry; a setting added, changed or removed
     * without regenerating it fails here. Run with {@code -Djobrunner.docs.update=true} to rewrite it.
     */
    @Test
    void theConfigurationReferenceListsEverySettingAsTheRegistryDefinesIt() throws IOException {
        String doc = Files.readString(CONFIGURATION_DOC);
        Matcher table = Pattern.compile("(?s)" + Pattern.quote(SettingsTable.BEGIN) + ".*?"
                + Pattern.quote(SettingsTable.END)).matcher(doc);
        assertThat(table.find()).as(CONFIGURATION_DOC + " holds the generated table between its markers").isTrue();
        String generated = SettingsTable.markdown();
        if (Boolean.getBoolean("jobrunner.docs.update")) {
            Files.writeString(CONFIGURATION_DOC, doc.substring(0, table.start()) + generated + doc.substring(table.end()));
            return;
        }
        assertThat(table.group()).as("docs/configuration.md is out of date with Setting; regenerate it with "
                + "mvn -pl runner-api test -Dtest=SettingRegistryTest -Djobrunner.docs.update=true").isEqualTo(generated);
        for (Setting setting : Setting.values()) {
            assertThat(doc).contains("`" + setting.variable() + "`");
        }
    }
}

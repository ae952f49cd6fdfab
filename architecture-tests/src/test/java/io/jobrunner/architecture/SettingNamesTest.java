package io.jobrunner.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.Setting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code JOB_RUNNER_…} name the project's code, docs, scripts and template mention is a
 * registered {@link Setting}: a setting read somewhere but missing from the registry (and so from
 * the generated configuration reference), or a misspelt one in the docs, fails here.
 */
class SettingNamesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** Misspellings on purpose: the examples and tests of the "did you mean" report. */
    private static final Set<String> DELIBERATE = Set.of("JOB_RUNNER_CONCURENCY", "JOB_RUNNER_LEASETIME",
            "JOB_RUNNER_COLOUR_OF_THE_SKY");
    private static final Pattern NAME = Pattern.compile("\\bJOB_RUNNER_[A-Z0-9_]*[A-Z0-9]\\b(?!_|\\*)");

    @Test
    void everySettingNameMentionedIsRegistered() throws IOException {
        Map<String, String> unknown = new TreeMap<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            files.filter(SettingNamesTest::isScanned).forEach(file -> {
                Matcher matcher = NAME.matcher(read(file));
                while (matcher.find()) {
                    if (Setting.of(matcher.group()).isEmpty() && !DELIBERATE.contains(matcher.group())) {
                        unknown.putIfAbsent(matcher.group(), ROOT.relativize(file).toString());
                    }
                }
            });
        }
        assertThat(unknown).as("names that are no Setting (name → first file); register them in io.jobrunner.Setting "
                + "or correct the spelling").isEmpty();
    }

    @Test
    void theScanReadsTheCodeThatReadsSettings() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            assertThat(files.filter(SettingNamesTest::isScanned).map(file -> ROOT.relativize(file).toString()))
                    .contains("runner-api/src/main/java/io/jobrunner/Setting.java", "README.md",
                            "deploy/jobrunner.yaml");
        }
    }

    private static boolean isScanned(Path file) {
        String path = ROOT.relativize(file).toString();
        if (path.contains("/target/") || path.startsWith(".git") || path.contains("node_modules")
                || path.contains("/archfixture/") || !Files.isRegularFile(file)) {
            return false;
        }
        return path.endsWith(".java") || path.endsWith(".md") || path.endsWith(".yaml") || path.endsWith(".yml")
                || path.startsWith("bin/") || path.startsWith(".ci/");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

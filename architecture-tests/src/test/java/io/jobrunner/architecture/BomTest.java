package io.jobrunner.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The BOM names every module an application or backend may depend on, at the project's version. */
class BomTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Set<String> NOT_PUBLISHED = Set.of("jobrunner-bom", "examples", "examples/spring-boot",
            "benchmarks", "architecture-tests");

    @Test
    void theBomListsEveryPublishedModuleAtTheProjectsVersion() throws IOException {
        String root = Files.readString(ROOT.resolve("pom.xml"));
        String bom = Files.readString(ROOT.resolve("jobrunner-bom/pom.xml"));
        List<String> published = new ArrayList<>();
        for (String module : all(root, "<module>([^<]+)</module>")) {
            if (!NOT_PUBLISHED.contains(module)) {
                published.add(module);
            }
        }
        assertThat(all(bom, "<artifactId>([^<]+)</artifactId>")).containsAll(published);
        String projectVersion = first(root, "<artifactId>jobrunner-parent</artifactId>\\s*<version>([^<]+)</version>");
        assertThat(first(bom, "<jobrunner.version>([^<]+)</jobrunner.version>")).isEqualTo(projectVersion);
        assertThat(first(bom, "<artifactId>jobrunner-bom</artifactId>\\s*<version>([^<]+)</version>"))
                .isEqualTo(projectVersion);
        assertThat(bom).as("a BOM with the parent would import the parent's third-party pins too")
                .doesNotContain("<parent>");
    }

    @Test
    void everyPublishedJarNamesItsModule() throws IOException {
        String root = Files.readString(ROOT.resolve("pom.xml"));
        assertThat(root).contains("<Automatic-Module-Name>${module.name}</Automatic-Module-Name>");
        for (String module : all(root, "<module>([^<]+)</module>")) {
            if (!NOT_PUBLISHED.contains(module)) {
                String name = first(Files.readString(ROOT.resolve(module).resolve("pom.xml")),
                        "<module.name>([^<]+)</module.name>");
                assertThat(name).as(module).matches("io\\.jobrunner(\\.[a-z]+)*");
            }
        }
    }

    @Test
    void theReadmeShowsTheBomAtTheProjectsVersion() throws IOException {
        String root = Files.readString(ROOT.resolve("pom.xml"));
        String readme = Files.readString(ROOT.resolve("README.md"));
        String projectVersion = first(root, "<artifactId>jobrunner-parent</artifactId>\\s*<version>([^<]+)</version>");
        assertThat(first(readme, "<artifactId>jobrunner-bom</artifactId>\\s*<version>([^<]+)</version>"))
                .isEqualTo(projectVersion);
        for (String module : all(readme, "<artifactId>([a-z-]+)</artifactId>")) {
            assertThat(Files.isDirectory(ROOT.resolve(module))).as("the README's " + module + " is a module").isTrue();
        }
    }

    private static List<String> all(String text, String regex) {
        List<String> found = new ArrayList<>();
        Matcher matcher = Pattern.compile(regex).matcher(text);
        while (matcher.find()) {
            found.add(matcher.group(1).trim());
        }
        return found;
    }

    private static String first(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as(regex).isTrue();
        return matcher.group(1).trim();
    }
}

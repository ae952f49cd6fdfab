package io.jobrunner.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobrunner.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The starter's configuration metadata (what an IDE completes and documents) and the properties
 * table of docs/spring-boot.md are generated from the settings registry and the starter's own
 * properties; a setting added or changed without regenerating them fails here. Run with
 * {@code -Djobrunner.docs.update=true} to rewrite both.
 */
class PropertyMetadataTest {

    private static final Path METADATA = Path.of("src/main/resources/META-INF/spring-configuration-metadata.json");
    private static final Path DOC = Path.of("../docs/spring-boot.md");
    private static final String BEGIN = "<!-- properties: generated from Setting and StarterProperty by PropertyMetadataTest -->";
    private static final String END = "<!-- end of properties -->";
    private static final ObjectMapper JSON = new ObjectMapper();

    static String metadata() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode groups = root.putArray("groups");
        groups.addObject().put("name", SettingProperties.PREFIX).put("type", SettingProperties.class.getName())
                .put("sourceType", JobRunnerAutoConfiguration.class.getName());
        ArrayNode properties = root.putArray("properties");
        for (Setting setting : SettingProperties.settings()) {
            ObjectNode property = properties.addObject()
                    .put("name", SettingProperties.property(setting).orElseThrow())
                    .put("type", javaType(setting.kind()))
                    .put("description", setting.description() + " Environment variable: " + setting.variable() + ".")
                    .put("sourceType", SettingProperties.class.getName());
            setting.defaultValue().ifPresent(value -> property.put("defaultValue", value));
        }
        for (StarterProperty starter : StarterProperty.values()) {
            properties.addObject().put("name", starter.property()).put("type", starter.type().getName())
                    .put("description", starter.description()).put("sourceType", StarterProperty.class.getName())
                    .put("defaultValue", starter.defaultValue());
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    }

    private static String javaType(Setting.Kind kind) {
        return switch (kind) {
            case FLAG -> Boolean.class.getName();
            case WHOLE_NUMBER, WHOLE_NUMBER_OR_ZERO -> Integer.class.getName();
            case DURATION -> Duration.class.getName();
            default -> String.class.getName();
        };
    }

    static String table() {
        StringBuilder table = new StringBuilder(BEGIN).append("\n\n| property | default | environment variable | what it does |\n|---|---|---|---|\n");
        for (StarterProperty starter : StarterProperty.values()) {
            table.append("| `").append(starter.property()).append("` | ").append(starter.defaultValue()).append(" | — | ")
                    .append(starter.description()).append(" |\n");
        }
        for (Setting setting : SettingProperties.settings()) {
            table.append("| `").append(SettingProperties.property(setting).orElseThrow()).append("` | ")
                    .append(setting.defaultValue().map(value -> value.isEmpty() ? "—" : value).orElse("—")).append(" | `")
                    .append(setting.variable()).append("` | ").append(setting.description().replace("|", "\\|")).append(" |\n");
        }
        return table.append("\n").append(END).toString();
    }

    @Test
    void theMetadataAndTheDocsTableAreGeneratedFromTheRegistry() throws IOException {
        String generatedMetadata = metadata();
        String doc = Files.readString(DOC);
        Matcher current = Pattern.compile("(?s)" + Pattern.quote(BEGIN) + ".*?" + Pattern.quote(END)).matcher(doc);
        assertThat(current.find()).as(DOC + " holds the generated table between its markers").isTrue();
        if (Boolean.getBoolean("jobrunner.docs.update")) {
            Files.writeString(METADATA, generatedMetadata);
            Files.writeString(DOC, doc.substring(0, current.start()) + table() + doc.substring(current.end()));
            return;
        }
        String hint = "; regenerate with mvn -pl jobrunner-spring-boot-autoconfigure test -Dtest=PropertyMetadataTest "
                + "-Djobrunner.docs.update=true";
        assertThat(Files.readString(METADATA)).as(METADATA + " is out of date" + hint).isEqualTo(generatedMetadata);
        assertThat(current.group()).as(DOC + " is out of date" + hint).isEqualTo(table());
    }

    @Test
    void theMetadataOnTheClassPathNamesEveryPropertyOnce() throws IOException {
        JsonNode metadata = JSON.readTree(getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json"));
        assertThat(metadata.get("properties")).hasSize(SettingProperties.settings().size() + StarterProperty.values().length);
        assertThat(metadata.get("properties").findValuesAsText("name")).doesNotHaveDuplicates()
                .contains("jobrunner.runner", "jobrunner.sqs.queue-url", "jobrunner.worker.enabled", "jobrunner.concurrency");
    }
}

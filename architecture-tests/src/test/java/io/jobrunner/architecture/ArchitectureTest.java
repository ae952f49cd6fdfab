package io.jobrunner.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.jobrunner.spi.archfixture.BackImport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules that keep modules by audience: applications write against {@code io.jobrunner}, backends
 * and stores against {@code io.jobrunner.spi}, and the engine ({@code io.jobrunner.internal}, in
 * {@code runner-core}) is used by runners only. Dependencies point one way: spi → api, engine → spi.
 */
class ArchitectureTest {

    private static final String API = "io.jobrunner";
    private static final String SPI = "io.jobrunner.spi..";
    private static final String ENGINE = "io.jobrunner.internal..";
    private static final String[] BACKENDS = {"io.jobrunner.inprocess..", "io.jobrunner.sqs..", "io.jobrunner.lambda..",
            "io.jobrunner.store.."};
    private static final String[] TOOLS = {"io.jobrunner.cli..", "io.jobrunner.dashboard..", "io.jobrunner.micrometer..",
            "io.jobrunner.local..", "io.jobrunner.spring.."};
    private static final String[] LIBRARIES = {"java..", "javax.annotation..", "com.fasterxml.jackson..", "org.slf4j.."};

    /**
     * The API's bootstrap, which finds providers with ServiceLoader and hands them their configuration,
     * is where the API meets the SPI (as SLF4J's {@code LoggerFactory} meets its service provider).
     */
    private static final String[] BOOTSTRAP = {"io.jobrunner.JobRunners", "io.jobrunner.JobRunners$Builder",
            "io.jobrunner.JobRunnerConfig", "io.jobrunner.RunnerSelection"};

    /**
     * The API names nothing but itself, the JDK, Jackson and SLF4J: no SPI, no engine, no backend type;
     * only its bootstrap names the SPI, and nothing of it names the engine.
     */
    static final ArchRule API_NAMES_ONLY_ITSELF = classes().that().resideInAPackage(API)
            .and().doNotHaveFullyQualifiedName(BOOTSTRAP[0]).and().doNotHaveFullyQualifiedName(BOOTSTRAP[1])
            .and().doNotHaveFullyQualifiedName(BOOTSTRAP[2]).and().doNotHaveFullyQualifiedName(BOOTSTRAP[3])
            .should().onlyDependOnClassesThat().resideInAnyPackage(concat(new String[] {API}, LIBRARIES))
            .because("an application's view must not pull in what backends or the engine implement");
    static final ArchRule API_BOOTSTRAP_NAMES_ONLY_API_AND_SPI = classes().that().resideInAPackage(API)
            .should().onlyDependOnClassesThat().resideInAnyPackage(concat(new String[] {API, SPI}, LIBRARIES));

    /** The SPI names the API and itself, never the engine or a backend. */
    static final ArchRule SPI_NAMES_ONLY_API_AND_ITSELF = classes().that().resideInAPackage(SPI)
            .should().onlyDependOnClassesThat().resideInAnyPackage(concat(new String[] {API, SPI}, LIBRARIES))
            .because("backends and stores implement the SPI without depending on the engine");

    /** The engine serves every runner and knows none of them, nor the tools. */
    static final ArchRule ENGINE_KNOWS_NO_BACKEND_OR_TOOL = noClasses().that().resideInAPackage(ENGINE)
            .should().dependOnClassesThat().resideInAnyPackage(concat(BACKENDS, TOOLS));

    /** The command, the dashboard and metrics use the API and SPI, the supported entry points. */
    static final ArchRule TOOLS_DO_NOT_USE_THE_ENGINE = noClasses().that().resideInAnyPackage(TOOLS)
            .should().dependOnClassesThat().resideInAPackage(ENGINE);

    /** A store implements the SPI; it neither runs jobs nor knows a runner. */
    static final ArchRule STORES_KNOW_NO_ENGINE_OR_RUNNER = noClasses().that().resideInAPackage("io.jobrunner.store..")
            .should().dependOnClassesThat().resideInAnyPackage(concat(new String[] {ENGINE, "io.jobrunner.inprocess..",
                    "io.jobrunner.sqs..", "io.jobrunner.lambda.."}, TOOLS));

    /**
     * Only the embedded store's opener names SQLite's classes: the function jar ships the store
     * without SQLite, and a class that names one fails to load there.
     */
    static final ArchRule ONLY_THE_EMBEDDED_STORE_NAMES_SQLITE = noClasses().that().resideInAPackage("io.jobrunner..")
            .and().doNotHaveFullyQualifiedName("io.jobrunner.store.EmbeddedJobRequestStore")
            .should().dependOnClassesThat().resideInAPackage("org.sqlite..")
            .because("the Lambda function jar has no SQLite");

    /** Runners do not reach into each other: each depends on the engine and the SPI only. */
    static final ArchRule RUNNERS_ARE_INDEPENDENT = noClasses().that().resideInAnyPackage("io.jobrunner.sqs..",
                    "io.jobrunner.lambda..")
            .should().dependOnClassesThat().resideInAnyPackage("io.jobrunner.inprocess..", "io.jobrunner.store..")
            .orShould().dependOnClassesThat().resideInAnyPackage(TOOLS);

    /** The engine ships in runner-core; the API jar holds the API and the SPI only. */
    static final ArchRule ENGINE_SHIPS_IN_RUNNER_CORE = classes().that().resideInAPackage(ENGINE)
            .should(comeFrom("runner-core"));
    static final ArchRule API_JAR_HOLDS_API_AND_SPI = classes().that().resideInAnyPackage(API, SPI)
            .should(comeFrom("runner-api"));

    private static JavaClasses production;

    @BeforeAll
    static void importClasses() {
        production = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.jobrunner");
    }

    @Test
    void theApiNamesOnlyItself() {
        API_NAMES_ONLY_ITSELF.check(production);
        API_BOOTSTRAP_NAMES_ONLY_API_AND_SPI.check(production);
    }

    @Test
    void theSpiNamesOnlyTheApiAndItself() {
        SPI_NAMES_ONLY_API_AND_ITSELF.check(production);
    }

    @Test
    void theEngineKnowsNoBackendOrTool() {
        ENGINE_KNOWS_NO_BACKEND_OR_TOOL.check(production);
    }

    @Test
    void toolsDoNotUseTheEngine() {
        TOOLS_DO_NOT_USE_THE_ENGINE.check(production);
    }

    @Test
    void storesKnowNoEngineOrRunner() {
        STORES_KNOW_NO_ENGINE_OR_RUNNER.check(production);
    }

    @Test
    void onlyTheEmbeddedStoreNamesSqlite() {
        ONLY_THE_EMBEDDED_STORE_NAMES_SQLITE.check(production);
    }

    @Test
    void runnersAreIndependent() {
        RUNNERS_ARE_INDEPENDENT.check(production);
    }

    @Test
    void theEngineShipsInRunnerCoreAndTheApiJarHoldsOnlyApiAndSpi() {
        ENGINE_SHIPS_IN_RUNNER_CORE.check(production);
        API_JAR_HOLDS_API_AND_SPI.check(production);
        assertThat(production.that(com.tngtech.archunit.base.DescribedPredicate.describe("in the engine",
                (JavaClass c) -> c.getPackageName().startsWith("io.jobrunner.internal")))).isNotEmpty();
    }

    @Test
    void everyPublicTypeOfTheApiIsListedWithItsAudience() throws IOException {
        String architecture = Files.readString(Path.of("..", "docs", "ARCHITECTURE.md"));
        List<String> unlisted = production.stream()
                .filter(type -> type.getPackageName().equals(API) && type.getModifiers()
                        .contains(JavaModifier.PUBLIC) && type.isTopLevelClass())
                .map(JavaClass::getSimpleName)
                .filter(name -> !architecture.contains("`" + name + "`"))
                .sorted().toList();
        assertThat(unlisted).as("public types of io.jobrunner missing from docs/ARCHITECTURE.md's table").isEmpty();
    }

    @Test
    void theSpiRuleFailsOnABackImport() {
        JavaClasses withBackImport = new ClassFileImporter().importClasses(BackImport.class);
        assertThat(SPI_NAMES_ONLY_API_AND_ITSELF.evaluate(withBackImport).hasViolation())
                .as("an SPI class that names an engine type breaks the rule").isTrue();
        assertThat(SPI_NAMES_ONLY_API_AND_ITSELF.evaluate(withBackImport).getFailureReport().getDetails())
                .anySatisfy(line -> assertThat(line).contains("io.jobrunner.internal.RetryBackoff"));
    }

    private static ArchCondition<JavaClass> comeFrom(String module) {
        return new ArchCondition<>("come from the " + module + " module") {
            @Override
            public void check(JavaClass item, ConditionEvents events) {
                String location = item.getSource().map(source -> source.getUri().toString()).orElse("");
                boolean inModule = location.contains("/" + module + "/") || location.contains("/" + module + "-");
                events.add(new SimpleConditionEvent(item, inModule, item.getName() + " is in " + location));
            }
        };
    }

    private static String[] concat(String[] first, String[] second) {
        String[] all = new String[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }
}

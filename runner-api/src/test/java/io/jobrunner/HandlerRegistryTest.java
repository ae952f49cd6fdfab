package io.jobrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HandlerRegistryTest {

    private static final TaskHandler<String> PRINT = TaskHandler.of("print", String.class, text -> { });
    private static final JobHandler<String> EXPORT = JobHandler.of("export", String.class, (text, context) -> text);

    @Test
    void handlersAreFoundByNameAndListedSorted() {
        HandlerRegistry registry = HandlerRegistry.builder().task(PRINT)
                .task(TaskHandler.of("audit", String.class, text -> { })).job(EXPORT).build();
        assertThat(registry.task("print")).containsSame(PRINT);
        assertThat(registry.job("export")).containsSame(EXPORT);
        assertThat(registry.taskNames()).containsExactly("audit", "print");
        assertThat(registry.jobTypes()).containsExactly("export");
        assertThat(registry.isEmpty()).isFalse();
        assertThat(HandlerRegistry.empty().isEmpty()).isTrue();
    }

    @Test
    void twoHandlersWithOneNameAreRefused() {
        assertThatThrownBy(() -> HandlerRegistry.builder().job(EXPORT).job(JobHandler.of("export", String.class, (t, c) -> t)))
                .isInstanceOf(HandlerRegistrationException.class)
                .hasMessageContaining("'export'");
    }

    @Test
    void aBlankNameIsRefused() {
        assertThatThrownBy(() -> HandlerRegistry.builder().task(TaskHandler.of(" ", String.class, t -> { })))
                .isInstanceOf(HandlerRegistrationException.class)
                .hasMessageContaining("blank name");
    }

    @Test
    void discoveryFindsHandlersListedInMetaInfServices() {
        HandlerRegistry registry = HandlerRegistry.builder().discover(getClass().getClassLoader()).build();
        assertThat(registry.taskNames()).contains("discovered-task");
    }

    @Test
    void requireNamesTheUnknownAndTheKnown() {
        HandlerRegistry registry = HandlerRegistry.builder().task(PRINT).build();
        assertThatThrownBy(() -> registry.requireTask("prnt"))
                .isInstanceOf(UnknownHandlerException.class)
                .hasMessageContaining("'prnt'")
                .hasMessageContaining("known task names: print");
        assertThatThrownBy(() -> registry.requireJob("export"))
                .hasMessageContaining("known job names: none");
    }

    /** Listed in this module's test META-INF/services. */
    public static final class DiscoveredTask implements TaskHandler<String> {
        @Override
        public String name() {
            return "discovered-task";
        }

        @Override
        public Class<String> payloadType() {
            return String.class;
        }

        @Override
        public void run(String payload) {
        }
    }
}

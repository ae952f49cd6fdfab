package io.jobrunner.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EnvelopeTest {

    private static final String TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void aTaskCarriesItsNamePayloadAndTraceToTheOtherSide() {
        String body = Envelope.task("mail", "{\"to\":\"a@b.c\"}".getBytes(StandardCharsets.UTF_8), TRACE);

        assertThat(Envelope.parse(body)).isEqualTo(new Envelope.Task("mail", "{\"to\":\"a@b.c\"}", TRACE));
    }

    @Test
    void anUntracedTaskHasNoTraceFieldAndAnEnvelopeWithoutOneReadsAsUntraced() {
        String body = Envelope.task("mail", "1".getBytes(StandardCharsets.UTF_8), null);

        assertThat(body).doesNotContain("trace");
        assertThat(Envelope.parse(body)).isEqualTo(new Envelope.Task("mail", "1", null));
        assertThat(Envelope.parse("{\"type\":\"TASK\",\"taskName\":\"mail\",\"payload\":1,\"trace\":null}"))
                .isEqualTo(new Envelope.Task("mail", "1", null));
    }

    @Test
    void aTraceThatIsNoStringIsRefusedNamingTheField() {
        assertThatThrownBy(() -> Envelope.parse("{\"type\":\"TASK\",\"taskName\":\"mail\",\"trace\":{\"a\":1}}"))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("\"trace\"");
    }

    @Test
    void aJobCarriesOnlyItsId() {
        assertThat(Envelope.parse(Envelope.job(42))).isEqualTo(new Envelope.Job(42));
    }
}

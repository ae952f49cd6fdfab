package io.jobrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class PayloadCodecTest {

    public record Invoice(String number, Instant dueAt) {
    }

    /** Nothing Jackson can see: no public fields, no getters. */
    static final class Opaque {
        @SuppressWarnings("unused")
        private final int hidden = 1;
    }

    private final PayloadCodec codec = PayloadCodec.defaultCodec();

    @Test
    void recordsWithJavaTimeRoundTripAsIsoJson() {
        Invoice invoice = new Invoice("F-1", Instant.parse("2026-11-23T10:15:30Z"));
        String json = codec.encodeToString("invoice", invoice);
        assertThat(json).isEqualTo("{\"number\":\"F-1\",\"dueAt\":\"2026-11-23T10:15:30Z\"}");
        assertThat(codec.decode("invoice", json, Invoice.class)).isEqualTo(invoice);
    }

    @Test
    void theContentKeyIgnoresMapOrderAndTheClassButNotTheValues() {
        java.util.Map<String, Object> ordered = new java.util.LinkedHashMap<>();
        ordered.put("number", "F-1");
        ordered.put("dueAt", "2026-11-23T10:15:30Z");
        java.util.Map<String, Object> reversed = new java.util.LinkedHashMap<>();
        reversed.put("dueAt", "2026-11-23T10:15:30Z");
        reversed.put("number", "F-1");
        Invoice invoice = new Invoice("F-1", Instant.parse("2026-11-23T10:15:30Z"));

        String key = codec.contentKey("invoice", invoice);

        assertThat(key).hasSize(64).isEqualTo(codec.contentKey("invoice", ordered)).isEqualTo(codec.contentKey("invoice", reversed));
        assertThat(codec.contentKey("invoice", new Invoice("F-2", invoice.dueAt()))).isNotEqualTo(key);
    }

    @Test
    void aPayloadThatCannotBeReadNamesTheHandlerTheTypeAndThePayload() {
        assertThatThrownBy(() -> codec.decode("invoice", "{\"dueAt\":\"yesterday\"}", Invoice.class))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining("'invoice'")
                .hasMessageContaining(Invoice.class.getName())
                .hasMessageContaining("yesterday");
    }

    @Test
    void aPayloadThatCannotBeWrittenNamesItsType() {
        assertThatThrownBy(() -> codec.encode("export", new Opaque()))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining(Opaque.class.getName())
                .hasMessageContaining("Use a record");
    }

    public record ReportRequest(String name, int sections) {
    }

    @Test
    void aPropertyThePayloadTypeDoesNotHaveFailsNamingTheTypeThePropertyAndTheSetting() {
        assertThatThrownBy(() -> codec.decode("generate-report", "{\"email\":\"ada@example.com\"}", ReportRequest.class))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining("'generate-report'")
                .hasMessageContaining("'email'")
                .hasMessageContaining(ReportRequest.class.getName())
                .hasMessageContaining("name")
                .hasMessageContaining("JOB_RUNNER_PAYLOADS=lenient");
        assertThatThrownBy(() -> codec.decode("generate-report", "{\"email\":1}".getBytes(), ReportRequest.class))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining("'email'");
    }

    @Test
    void theLenientCodecIgnoresUnknownPropertiesAndTheSettingPicksIt() {
        assertThat(PayloadCodec.forSetting("lenient").decode("generate-report", "{\"name\":\"w\",\"email\":\"x\"}",
                ReportRequest.class)).isEqualTo(new ReportRequest("w", 0));
        assertThat(PayloadCodec.forSetting(null)).isSameAs(PayloadCodec.defaultCodec());
        assertThat(PayloadCodec.forSetting("Strict")).isSameAs(PayloadCodec.defaultCodec());
        assertThat(PayloadCodec.forSetting(" LENIENT ")).isSameAs(PayloadCodec.lenient());
        assertThatThrownBy(() -> PayloadCodec.forSetting("loose"))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("JOB_RUNNER_PAYLOADS='loose'")
                .hasMessageContaining("strict")
                .hasMessageContaining("lenient");
    }

    @Test
    void anUnreadablePayloadIsQuotedInItsErrorOnlyWhenAsked() {
        String secret = "{\"card\":\"4111 1111 1111 1111\"}";
        assertThatThrownBy(() -> PayloadCodec.defaultCodec().decode("charge", secret, Integer.class))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining("'charge'")
                .hasMessageContaining(secret.length() + " characters, not shown")
                .hasMessageContaining("JOB_RUNNER_PAYLOADS_IN_ERRORS=true")
                .hasMessageNotContaining("4111");
        assertThatThrownBy(() -> PayloadCodec.defaultCodec().withPayloadsInErrors().decode("charge", secret, Integer.class))
                .hasMessageContaining("4111 1111 1111 1111");
        assertThat(JobRunners.builder().environment(java.util.Map.of("JOB_RUNNER_PAYLOADS_IN_ERRORS", "true")).config()
                .codec()).isNotSameAs(PayloadCodec.defaultCodec());
    }
}

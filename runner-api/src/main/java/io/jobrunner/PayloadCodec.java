package io.jobrunner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Turns payloads and results into JSON and back, with Jackson. Every runner passes payloads
 * through it, in-process ones too, so a payload that works in one process works across processes.
 * Immutable and thread-safe.
 */
public final class PayloadCodec {


    private static final PayloadCodec DEFAULT = new PayloadCodec(baseMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES));
    private static final PayloadCodec LENIENT = new PayloadCodec(baseMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES));

    private final ObjectMapper mapper;
    private final ObjectMapper canonical;
    private final boolean payloadsInErrors;

    /** A codec over a configured mapper; the mapper must not be reconfigured afterwards. */
    public PayloadCodec(ObjectMapper mapper) {
        this(mapper, mapper.copy()
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY), false);
    }

    private PayloadCodec(ObjectMapper mapper, ObjectMapper canonical, boolean payloadsInErrors) {
        this.mapper = mapper;
        this.canonical = canonical;
        this.payloadsInErrors = payloadsInErrors;
    }

    /**
     * This codec, whose errors quote the start of a payload that cannot be read
     * ({@code JOB_RUNNER_PAYLOADS_IN_ERRORS=true}); by default they give its length only, since
     * errors reach logs and the stored request, and payloads may hold personal data.
     */
    public PayloadCodec withPayloadsInErrors() {
        return payloadsInErrors ? this : new PayloadCodec(mapper, canonical, true);
    }

    private static ObjectMapper baseMapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    /**
     * Java time support, ISO-8601 dates, and strict reading: a payload with a property its handler's
     * type does not have fails, naming the property, instead of running with the field silently lost.
     */
    public static PayloadCodec defaultCodec() {
        return DEFAULT;
    }

    /** Like {@link #defaultCodec()}, but properties the handler's type does not have are ignored. */
    public static PayloadCodec lenient() {
        return LENIENT;
    }

    /**
     * The codec {@code JOB_RUNNER_PAYLOADS} asks for: {@code strict} (the default) or {@code lenient}.
     *
     * @param value the setting's value, or {@code null} when unset
     * @throws InvalidSettingException for any other value
     */
    public static PayloadCodec forSetting(String value) {
        if (value == null || value.isBlank() || value.trim().equalsIgnoreCase("strict")) {
            return DEFAULT;
        }
        if (value.trim().equalsIgnoreCase("lenient")) {
            return LENIENT;
        }
        throw new InvalidSettingException(Setting.PAYLOADS.variable(), value, "expected strict (a payload property the handler's type "
                + "does not have fails the attempt) or lenient (such properties are ignored)");
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** The payload as UTF-8 JSON. */
    public byte[] encode(String handlerName, Object payload) {
        if (payload == null) {
            return new byte[] {'n', 'u', 'l', 'l'};
        }
        try {
            return mapper.writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw notSerializable(handlerName, payload, e);
        }
    }

    /** The payload as JSON text. */
    public String encodeToString(String handlerName, Object payload) {
        try {
            return mapper.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw notSerializable(handlerName, payload, e);
        }
    }

    /**
     * A key naming the payload's content: the SHA-256 of its JSON with object keys sorted, so equal
     * payloads give one key whatever their map order or class.
     */
    public String contentKey(String handlerName, Object payload) {
        try {
            JsonNode tree = canonical.valueToTree(payload);
            byte[] json = canonical.writeValueAsBytes(canonical.treeToValue(tree, Object.class));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw notSerializable(handlerName, payload, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }

    /**
     * True when the JSON text fits in {@code limit} bytes of UTF-8. Its bytes are counted only when
     * its length could exceed the limit (a char is at most 3 bytes), so the usual small payload costs
     * no copy.
     */
    public static boolean fitsIn(String json, long limit) {
        return (long) json.length() * 3 <= limit || json.getBytes(StandardCharsets.UTF_8).length <= limit;
    }

    /** Reads UTF-8 JSON into the handler's payload type. */
    public <P> P decode(String handlerName, byte[] json, Class<P> type) {
        if (isNull(json)) {
            return null;
        }
        try {
            return mapper.readValue(json, type);
        } catch (IOException e) {
            throw notReadable(handlerName, new String(json, StandardCharsets.UTF_8), type, e);
        }
    }

    /** Reads JSON text into the handler's payload type. */
    public <P> P decode(String handlerName, String json, Class<P> type) {
        try {
            return mapper.readValue(json, type);
        } catch (IOException e) {
            throw notReadable(handlerName, json, type, e);
        }
    }

    private static boolean isNull(byte[] json) {
        return json.length == 4 && json[0] == 'n' && json[1] == 'u' && json[2] == 'l' && json[3] == 'l';
    }

    private static PayloadException notSerializable(String handlerName, Object payload, Exception e) {
        return new PayloadException(handlerName, "The payload for '" + handlerName + "' of type "
                + payload.getClass().getName() + " cannot be serialized to JSON: " + originalMessage(e)
                + ". Use a record, a bean with getters, a Map or a String", e);
    }

    private static String originalMessage(Exception e) {
        return e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
    }

    private PayloadException notReadable(String handlerName, String json, Class<?> type, IOException e) {
        String shown = !payloadsInErrors ? json.length() + " characters, not shown (" + Setting.PAYLOADS_IN_ERRORS.variable()
                + "=true shows them)" : json.length() > 200 ? json.substring(0, 200) + "…" : json;
        if (e instanceof UnrecognizedPropertyException unknown) {
            return new PayloadException(handlerName, "The payload for '" + handlerName + "' has the property '"
                    + unknown.getPropertyName() + "', which " + type.getName() + " does not have (it has: "
                    + unknown.getKnownPropertyIds() + "; payload: " + shown + "). Make the handler's payload type "
                    + "match what is dispatched, or set " + Setting.PAYLOADS.variable() + "=lenient to ignore unknown properties", e);
        }
        return new PayloadException(handlerName, "The payload for '" + handlerName + "' cannot be read as "
                + type.getName() + ": " + e.getMessage().lines().findFirst().orElse("") + " (payload: " + shown
                + "). Make the handler's payload type match what is dispatched", e);
    }
}

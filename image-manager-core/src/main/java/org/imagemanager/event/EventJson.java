package org.imagemanager.event;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.UUID;

/**
 * The JSON form of every topic's records, and the one place that writes and reads them. Unknown fields are ignored
 * so that newer producers don't break readers.
 *
 * <p>Records of the three topics are CloudEvents 1.0 in structured mode (JSON event format, Kafka protocol binding):
 * the value is an envelope whose {@code data} holds the record's fields, and whose {@code type} is the record's
 * versioned name under {@value #TYPE_PREFIX}. Any CloudEvents tool can route and filter them without knowing our
 * classes. {@link #decode} also reads the bare form written before (the record's fields with a {@code "type"}
 * beside them), because compacted topics keep such records for good.
 */
public final class EventJson {
    /** The Kafka {@code content-type} header of a structured-mode CloudEvent. */
    public static final String CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8";
    public static final String TYPE_PREFIX = "org.imagemanager.";
    private static final String SOURCE_PREFIX = "/image-manager/";
    private static final String SPEC_VERSION = "1.0";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private EventJson() {
    }

    /** Plain JSON of any value (documents, answers, state records); topic records are written by the methods below. */
    public static String encode(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An {@code image-events} record. The event's id and time are the CloudEvent's; the subject is the record key.
     *
     * @param source the producing service ({@code planner-service}, …) or {@code launcher}
     */
    public static String cloudEvent(ImageEvent event, String source) {
        return envelope(event, event.eventId(), source, event.time(), event.key());
    }

    /** An {@code image-definitions} record (never a tombstone: those stay null values). */
    public static String cloudEvent(DefinitionEvent event, String source) {
        return envelope(event, event.eventId(), source, event.time(), event.imageName());
    }

    /**
     * An {@code image-actions} record, published at {@code time}. Its CloudEvent id is the action id plus a fresh
     * suffix: the action id is deterministic, and the planner publishes the same decision again on every plan until
     * it is carried out (a retry after a failed import is exactly that). CloudEvents lets consumers drop events whose
     * source and id they have seen, so a bare action id would make such a tool swallow the retry. Idempotence stays
     * with the {@code actionId} in {@code data}; the prefix keeps the id readable in logs.
     */
    public static String cloudEvent(ImageAction action, String source, Instant time) {
        return envelope(action, action.actionId() + ":" + newEventId(), source, time, action.key());
    }

    private static String envelope(Object record, String id, String source, Instant time, String subject) {
        ObjectNode data = MAPPER.valueToTree(record);
        // the sealed interfaces' Jackson names ("ImportCompleted.v1") become the CloudEvent type; data is just fields
        String type = data.remove("type").asText();
        ObjectNode envelope = MAPPER.createObjectNode()
                .put("specversion", SPEC_VERSION)
                .put("id", id)
                .put("source", SOURCE_PREFIX + source)
                .put("type", TYPE_PREFIX + type)
                .put("time", time.toString()) // Instant's ISO-8601 form in UTC is RFC 3339
                .put("subject", subject)
                .put("datacontenttype", "application/json");
        envelope.set("data", data);
        return encode(envelope);
    }

    /**
     * Reads JSON as {@code type}. A record of the three topics may be a CloudEvent envelope or the bare form of
     * earlier versions; both give the same record.
     */
    public static <T> T decode(String json, Class<T> type) {
        try {
            if (!isTopicRecord(type)) {
                return MAPPER.readValue(json, type);
            }
            JsonNode tree = MAPPER.readTree(json);
            return MAPPER.treeToValue(tree.has("specversion") ? unwrap(tree) : tree, type);
        } catch (IOException e) {
            throw new UncheckedIOException("not a valid " + type.getSimpleName() + " record: " + e.getMessage(), e);
        }
    }

    private static boolean isTopicRecord(Class<?> type) {
        return ImageEvent.class.isAssignableFrom(type) || ImageAction.class.isAssignableFrom(type)
                || DefinitionEvent.class.isAssignableFrom(type);
    }

    /** The envelope's data in the bare form, whose "type" tells Jackson the record. */
    private static JsonNode unwrap(JsonNode envelope) throws IOException {
        String version = envelope.path("specversion").asText();
        String type = envelope.path("type").asText();
        if (!SPEC_VERSION.equals(version) || !type.startsWith(TYPE_PREFIX) || !envelope.path("data").isObject()) {
            throw new IOException("a CloudEvent of specversion '" + version + "', type '" + type
                    + "' is not one of ours (specversion " + SPEC_VERSION + ", type " + TYPE_PREFIX + "…, JSON data)");
        }
        ObjectNode bare = envelope.get("data").deepCopy();
        bare.put("type", type.substring(TYPE_PREFIX.length()));
        return bare;
    }

    /** An action as a JSON tree written through its sealed type (with its "type"), for embedding in documents. */
    public static JsonNode actionTree(ImageAction action) {
        try {
            return MAPPER.readTree(MAPPER.writerFor(ImageAction.class).writeValueAsString(action));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Any record as a JSON tree: equal trees mean equal content as every consumer of the topics sees it. */
    public static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    public static String newEventId() {
        return UUID.randomUUID().toString();
    }
}

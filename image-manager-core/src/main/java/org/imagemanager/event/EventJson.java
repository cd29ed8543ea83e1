package org.imagemanager.event;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

/** The JSON form of every topic's records. Unknown fields are ignored so that newer producers don't break readers. */
public final class EventJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private EventJson() {
    }

    public static String encode(Object event) {
        try {
            return MAPPER.writeValueAsString(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T decode(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException("not a valid " + type.getSimpleName() + " record: " + e.getMessage(), e);
        }
    }

    /** An action as a JSON tree written through its sealed type (with its "type"), for embedding in documents. */
    public static com.fasterxml.jackson.databind.JsonNode actionTree(ImageAction action) {
        try {
            return MAPPER.readTree(MAPPER.writerFor(ImageAction.class).writeValueAsString(action));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Any record as a JSON tree: equal trees mean equal content as every consumer of the topics sees it. */
    public static com.fasterxml.jackson.databind.JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    public static String newEventId() {
        return UUID.randomUUID().toString();
    }
}

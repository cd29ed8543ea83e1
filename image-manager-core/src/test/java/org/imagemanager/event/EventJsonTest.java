package org.imagemanager.event;

import org.imagemanager.definition.DefinitionSource;
import org.imagemanager.definition.ImageDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.imagemanager.fixtures.DefinitionBuilder.image;
import static org.imagemanager.fixtures.VersionBuilder.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every record of every topic survives encode → decode through its sealed interface, with the "type" discriminator
 * {@code <RecordName>.v1}. The records are found through the sealed interfaces' permitted subclasses, so a record
 * added later is covered (and must be registered in {@code @JsonSubTypes}).
 */
class EventJsonTest {
    private static final Instant T = Instant.parse("2024-05-01T12:00:00.123Z");

    static Stream<Arguments> actions() {
        return samplesOf(ImageAction.class);
    }

    static Stream<Arguments> events() {
        return samplesOf(ImageEvent.class);
    }

    static Stream<Arguments> definitionEvents() {
        return samplesOf(DefinitionEvent.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("actions")
    void shouldRoundTripEveryActionThroughImageAction(String type, ImageAction action) {
        String json = EventJson.encode(action);

        assertTrue(json.contains("\"type\":\"" + type + ".v1\""), json);
        assertEquals(action, EventJson.decode(json, ImageAction.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("events")
    void shouldRoundTripEveryEventThroughImageEvent(String type, ImageEvent event) {
        String json = EventJson.encode(event);

        assertTrue(json.contains("\"type\":\"" + type + ".v1\""), json);
        assertEquals(event, EventJson.decode(json, ImageEvent.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("definitionEvents")
    void shouldRoundTripEveryDefinitionEventThroughDefinitionEvent(String type, DefinitionEvent event) {
        String json = EventJson.encode(event);

        assertTrue(json.contains("\"type\":\"" + type + ".v1\""), json);
        assertEquals(event, EventJson.decode(json, DefinitionEvent.class));
    }

    @Test
    void shouldRoundTripARealisticDefinitionChanged() {
        DefinitionChanged changed = new DefinitionChanged("e1", T, definition(),
                new DefinitionSource("ubuntu.yml", 3, "abc123"));

        String json = EventJson.encode(changed);
        DefinitionEvent decoded = EventJson.decode(json, DefinitionEvent.class);

        assertTrue(json.contains("\"type\":\"DefinitionChanged.v1\""), json);
        assertEquals(changed, decoded);
        assertEquals("Ubuntu 24.04", decoded.imageName());
    }

    @Test
    void shouldWriteARenameAsTheTopicsReadersExpectIt() {
        RenameImage rename = new RenameImage("rename-1", "prod", "Ubuntu 24.04", "id-16", "Ubuntu 24.04",
                "Ubuntu 24.04 (20240416)");

        String json = EventJson.encode(rename);

        assertTrue(json.contains("\"type\":\"RenameImage.v1\""), json);
        assertTrue(json.contains("\"fromName\":\"Ubuntu 24.04\""), json);
        assertTrue(json.contains("\"toName\":\"Ubuntu 24.04 (20240416)\""), json);
    }

    @Test
    void shouldUseTheSnakeCaseKeysOfTheDefinitionFilesInJson() {
        String json = EventJson.encode(image("X").minDisk(8).minRam(512).versions("1").build());

        assertTrue(json.contains("\"min_disk\":8"), json);
        assertTrue(json.contains("\"min_ram\":512"), json);
    }

    @Test
    void shouldNeverWriteTheDefinitionsPasswordIntoADefinitionChanged() {
        ImageDefinition definition = image("MyCirros").password("gocubsgo").versions("0.6.2").build();

        String json = EventJson.encode(new DefinitionChanged("e1", T, definition, new DefinitionSource("f.yml", 1, "c")));

        assertFalse(json.contains("gocubsgo"), json);
    }

    @Test
    void shouldWriteInstantsAsIsoText() {
        String json = EventJson.encode(new DefinitionsPublished("e1", T, "git", "abc", List.of("X")));

        assertTrue(json.contains("\"time\":\"2024-05-01T12:00:00.123Z\""), json);
    }

    @Test
    void shouldIgnoreUnknownFieldsOfActions() {
        RenameImage rename = new RenameImage("rename-1", "prod", "X", "id-1", "X", "X (1)");
        String json = EventJson.encode(rename);
        String withExtras = json.replaceFirst("\\{", "{\"addedLater\":{\"nested\":[1,2]},\"priority\":7,");

        assertNotEquals(json, withExtras);
        assertEquals(rename, EventJson.decode(withExtras, ImageAction.class));
    }

    @Test
    void shouldIgnoreUnknownFieldsOfEvents() {
        String json = "{\"type\":\"DefinitionsPublished.v1\",\"eventId\":\"e1\",\"time\":\"2024-05-01T12:00:00.123Z\","
                + "\"source\":\"git\",\"commit\":\"abc\",\"images\":[\"X\"],\"operator\":\"someone\"}";

        DefinitionsPublished decoded = assertInstanceOf(DefinitionsPublished.class, EventJson.decode(json, ImageEvent.class));

        assertEquals(List.of("X"), decoded.images());
    }

    @Test
    void shouldRejectAnUnknownTypeWithAClearError() {
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> EventJson.decode("{\"type\":\"NoSuchAction.v1\",\"actionId\":\"x\"}", ImageAction.class));

        assertTrue(e.getMessage().contains("ImageAction"), e.getMessage());
    }

    @Test
    void shouldKeyActionsAndEventsByCloudAndFamily() {
        assertEquals("prod/X", new RenameImage("r", "prod", "X", "id", "a", "b").key());
        assertEquals("src", new DefinitionsPublished("e", T, "src", "c", List.of()).key());
    }

    @Test
    void shouldMakeNewEventIdsUnique() {
        assertNotEquals(EventJson.newEventId(), EventJson.newEventId());
    }

    // ---- samples of every record, made from its components ------------------------------------------------------

    private static Stream<Arguments> samplesOf(Class<?> sealedInterface) {
        return leaves(sealedInterface).map(type -> Arguments.of(type.getSimpleName(), sample(type)));
    }

    private static Stream<Class<?>> leaves(Class<?> type) {
        if (!type.isSealed()) {
            return Stream.of(type);
        }
        return Arrays.stream(type.getPermittedSubclasses()).flatMap(EventJsonTest::leaves);
    }

    private static Object sample(Class<?> record) {
        RecordComponent[] components = record.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            values[i] = value(components[i].getType(), components[i].getGenericType(), components[i].getName());
        }
        try {
            return record.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make a sample " + record.getSimpleName(), e);
        }
    }

    private static Object value(Class<?> type, Type generic, String name) {
        if (type == String.class) {
            return name + "-value";
        }
        if (type == int.class || type == Integer.class) {
            return 7;
        }
        if (type == long.class || type == Long.class) {
            return 12345L;
        }
        if (type == boolean.class || type == Boolean.class) {
            return true;
        }
        if (type == Instant.class) {
            return T;
        }
        if (type == LocalDate.class) {
            return LocalDate.of(2024, 4, 16);
        }
        if (type.isEnum()) {
            Object[] constants = type.getEnumConstants();
            return constants[constants.length - 1];
        }
        if (type == ImageDefinition.class) {
            return definition();
        }
        if (type == List.class) {
            Type element = ((ParameterizedType) generic).getActualTypeArguments()[0];
            if (element == String.class) {
                return List.of(name + "-1", name + "-2");
            }
            Class<?> elementClass = (Class<?>) element;
            return List.of(value(elementClass, elementClass, name));
        }
        if (type == Map.class) {
            return Map.of(name + "-key", name + "-value");
        }
        if (type.isRecord()) {
            return sample(type);
        }
        throw new IllegalArgumentException("no sample value for " + generic + " " + name);
    }

    private static ImageDefinition definition() {
        return image("Ubuntu 24.04").multi(true).login("ubuntu").minDisk(8).minRam(512)
                .visibility("public").tag("scs").meta("os_distro", "ubuntu").meta("os_version", "24.04")
                .meta("hw_disk_bus", null)
                .version(version("20240416").checksum("sha256:" + "a".repeat(64)).buildDate("2024-04-16")
                        .meta("patchlevel", "1"))
                .build();
    }
}

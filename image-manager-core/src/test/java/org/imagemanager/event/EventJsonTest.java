package org.imagemanager.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * Every record of every topic survives encode → decode through its sealed interface, as a CloudEvent whose type is
 * {@code org.imagemanager.<RecordName>.v1}, and still decodes from the bare form written before (a {@code "type"}
 * of {@code <RecordName>.v1} beside the fields). The records are found through the sealed interfaces' permitted
 * subclasses, so a record added later is covered (and must be registered in {@code @JsonSubTypes}).
 */
class EventJsonTest {
    private static final Instant T = Instant.parse("2024-05-01T12:00:00.123Z");
    private static final ObjectMapper GENERIC = new ObjectMapper();

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
    void shouldRoundTripEveryActionAsACloudEvent(String type, ImageAction action) throws Exception {
        String json = EventJson.cloudEvent(action, "planner-service", T);

        assertEquals("org.imagemanager." + type + ".v1", GENERIC.readTree(json).path("type").asText(), json);
        assertEquals(action, EventJson.decode(json, ImageAction.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("events")
    void shouldRoundTripEveryEventAsACloudEvent(String type, ImageEvent event) throws Exception {
        String json = EventJson.cloudEvent(event, "importer-service");

        assertEquals("org.imagemanager." + type + ".v1", GENERIC.readTree(json).path("type").asText(), json);
        assertEquals(event, EventJson.decode(json, ImageEvent.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("definitionEvents")
    void shouldRoundTripEveryDefinitionEventAsACloudEvent(String type, DefinitionEvent event) throws Exception {
        String json = EventJson.cloudEvent(event, "definitions-service");

        assertEquals("org.imagemanager." + type + ".v1", GENERIC.readTree(json).path("type").asText(), json);
        assertEquals(event, EventJson.decode(json, DefinitionEvent.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"actions", "events", "definitionEvents"})
    void shouldStillDecodeEveryRecordInTheBareFormOfEarlierVersions(String type, Object record) {
        String bare = EventJson.encode(record);
        Class<?> topic = record instanceof ImageAction ? ImageAction.class
                : record instanceof ImageEvent ? ImageEvent.class : DefinitionEvent.class;

        assertTrue(bare.contains("\"type\":\"" + type + ".v1\""), bare);
        assertFalse(bare.contains("specversion"), bare);
        assertEquals(record, EventJson.decode(bare, topic));
    }

    @Test
    void shouldDecodeABareRecordAsAnEarlierVersionWroteIt() {
        String written = "{\"type\":\"ImportFailed.v1\",\"eventId\":\"e-7\",\"time\":\"2024-05-01T12:00:00.123Z\","
                + "\"cloud\":\"prod\",\"family\":\"Ubuntu 24.04\",\"actionId\":\"import-1\",\"version\":\"20240416\","
                + "\"imageName\":\"Ubuntu 24.04 (20240416)\",\"reason\":\"CHECKSUM_MISMATCH\",\"expected\":\"sha256:aa\","
                + "\"actual\":\"sha256:bb\",\"message\":\"digest differs\"}";

        ImportFailed failed = assertInstanceOf(ImportFailed.class, EventJson.decode(written, ImageEvent.class));

        assertEquals(new ImportFailed("e-7", T, "prod", "Ubuntu 24.04", "import-1", "20240416",
                "Ubuntu 24.04 (20240416)", FailureReason.CHECKSUM_MISMATCH, "sha256:aa", "sha256:bb", "digest differs"), failed);
    }

    @Test
    void shouldWriteTheRequiredAndOptionalCloudEventAttributes() throws Exception {
        ImportCompleted done = new ImportCompleted("e-1", T, "prod", "Ubuntu 24.04", "import-1", "20240416", "id-1",
                "Ubuntu 24.04 (20240416)", "sha256:aa", 42, false, "bb", "upload", "http://x/u.img", 1500);

        JsonNode envelope = GENERIC.readTree(EventJson.cloudEvent(done, "importer-service"));

        assertEquals("1.0", envelope.path("specversion").asText());
        assertEquals("e-1", envelope.path("id").asText());
        assertEquals("/image-manager/importer-service", envelope.path("source").asText());
        assertEquals("org.imagemanager.ImportCompleted.v1", envelope.path("type").asText());
        assertEquals("2024-05-01T12:00:00.123Z", envelope.path("time").asText());
        assertEquals("prod/Ubuntu 24.04", envelope.path("subject").asText());
        assertEquals(done.key(), envelope.path("subject").asText(), "the subject is the record key");
        assertEquals("application/json", envelope.path("datacontenttype").asText());
        assertEquals("import-1", envelope.path("data").path("actionId").asText());
        assertEquals(42, envelope.path("data").path("bytes").asLong());
        assertFalse(envelope.path("data").has("type"), "the type is the envelope's, not a field of the data");
        assertEquals(Set.of("specversion", "id", "source", "type", "time", "subject", "datacontenttype", "data"),
                fieldNames(envelope));
    }

    @Test
    void shouldGiveAnActionAFreshIdPerRecordThatStartsWithItsActionIdAndThePublicationTime() throws Exception {
        RenameImage rename = new RenameImage("rename-1", "prod", "X", "id-1", "X (1)", "X");

        JsonNode first = GENERIC.readTree(EventJson.cloudEvent(rename, "planner-service", T));
        JsonNode again = GENERIC.readTree(EventJson.cloudEvent(rename, "planner-service", T));

        assertTrue(first.path("id").asText().startsWith("rename-1:"), first.toString());
        assertNotEquals(first.path("id"), again.path("id"), "a decision published again is a new event, not a duplicate");
        assertEquals("2024-05-01T12:00:00.123Z", first.path("time").asText());
        assertEquals("prod/X", first.path("subject").asText());
        assertEquals(rename, EventJson.decode(again.toString(), ImageAction.class), "the action id stays in data");
    }

    @Test
    void shouldKeyDefinitionEventsByImageName() throws Exception {
        DefinitionChanged changed = new DefinitionChanged("e-2", T, definition(), new DefinitionSource("u.yml", 3, "abc"), "team-a");

        JsonNode envelope = GENERIC.readTree(EventJson.cloudEvent(changed, "definitions-service"));

        assertEquals("Ubuntu 24.04", envelope.path("subject").asText());
        assertEquals("e-2", envelope.path("id").asText());
        assertEquals("/image-manager/definitions-service", envelope.path("source").asText());
    }

    @Test
    void shouldBeReadableByAGenericCloudEventsReaderWithoutOurClasses() throws Exception {
        String record = EventJson.cloudEvent(new PlanComputed("e-3", T, "prod", "Debian 12", List.of("import-1"),
                List.of("import 'Debian 12 (1)'"), List.of(), 2), "launcher");

        // what a consumer in another language does: a JSON tree, the context attributes, the data as a map
        JsonNode event = GENERIC.readTree(record);
        String subject = event.get("subject").asText();
        String type = event.get("type").asText();
        OffsetDateTime time = OffsetDateTime.parse(event.get("time").asText());
        Map<?, ?> data = GENERIC.treeToValue(event.get("data"), Map.class);

        assertEquals("prod/Debian 12", subject);
        assertEquals("org.imagemanager.PlanComputed.v1", type);
        assertEquals(T, time.toInstant());
        assertEquals(List.of("import-1"), data.get("actions"));
        assertEquals(2, data.get("unchanged"));
    }

    @Test
    void shouldLeaveAnEnvelopeWholeWhenAskedForPlainJson() {
        String record = EventJson.cloudEvent(new DefinitionsPublished("e-4", T, "git", "abc", List.of("X")), "launcher");

        JsonNode tree = EventJson.decode(record, JsonNode.class);

        assertEquals("1.0", tree.path("specversion").asText());
        assertEquals(List.of("X"), List.of(tree.path("data").path("images").get(0).asText()));
    }

    @Test
    void shouldRejectACloudEventThatIsNotOursWithAClearError() {
        String foreign = "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/elsewhere\","
                + "\"type\":\"com.example.Thing\",\"data\":{}}";

        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> EventJson.decode(foreign, ImageEvent.class));

        assertTrue(e.getMessage().contains("ImageEvent") && e.getMessage().contains("com.example.Thing"), e.getMessage());
    }

    @Test
    void shouldRoundTripARealisticDefinitionChanged() {
        DefinitionChanged changed = new DefinitionChanged("e1", T, definition(),
                new DefinitionSource("ubuntu.yml", 3, "abc123"));

        String json = EventJson.cloudEvent(changed, "launcher");
        DefinitionEvent decoded = EventJson.decode(json, DefinitionEvent.class);

        assertTrue(json.contains("\"type\":\"org.imagemanager.DefinitionChanged.v1\""), json);
        assertEquals(changed, decoded);
        assertEquals("Ubuntu 24.04", decoded.imageName());
    }

    @Test
    void shouldWriteARenameAsTheTopicsReadersExpectIt() {
        RenameImage rename = new RenameImage("rename-1", "prod", "Ubuntu 24.04", "id-16", "Ubuntu 24.04",
                "Ubuntu 24.04 (20240416)");

        String json = EventJson.cloudEvent(rename, "planner-service", T);

        assertTrue(json.contains("\"type\":\"org.imagemanager.RenameImage.v1\""), json);
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

        String json = EventJson.cloudEvent(new DefinitionChanged("e1", T, definition, new DefinitionSource("f.yml", 1, "c")),
                "launcher");

        assertFalse(json.contains("gocubsgo"), json);
    }

    @Test
    void shouldWriteInstantsAsIsoText() {
        String json = EventJson.cloudEvent(new DefinitionsPublished("e1", T, "git", "abc", List.of("X")), "launcher");

        assertTrue(json.contains("\"time\":\"2024-05-01T12:00:00.123Z\",\"subject\""), "the envelope's time: " + json);
        assertTrue(json.contains("\"eventId\":\"e1\",\"time\":\"2024-05-01T12:00:00.123Z\""), "the data's time: " + json);
    }

    @Test
    void shouldIgnoreUnknownFieldsOfActions() {
        RenameImage rename = new RenameImage("rename-1", "prod", "X", "id-1", "X", "X (1)");
        String json = EventJson.cloudEvent(rename, "planner-service", T);
        String withExtras = json.replace("\"data\":{", "\"data\":{\"addedLater\":{\"nested\":[1,2]},\"priority\":7,")
                .replaceFirst("\\{", "{\"traceparent\":\"00-abc-def-01\",");

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

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new java.util.HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
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

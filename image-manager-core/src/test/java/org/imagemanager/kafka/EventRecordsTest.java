package org.imagemanager.kafka;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.imagemanager.definition.DefinitionSource;
import org.imagemanager.event.DefinitionChanged;
import org.imagemanager.event.DefinitionEvent;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.ImportStarted;
import org.imagemanager.event.RenameImage;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.imagemanager.fixtures.DefinitionBuilder.image;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each record goes to its topic, under its key, as a structured-mode CloudEvent with the binding's header. */
class EventRecordsTest {
    private static final Instant T = Instant.parse("2024-05-01T12:00:00Z");
    private final EventRecords records = new EventRecords(new TopicNames("defs", "acts", "evts"), "importer-service");

    @Test
    void shouldPutAnEventOnTheEventsTopicUnderItsKeyWithTheCloudEventsContentType() {
        ImportStarted started = new ImportStarted("e-1", T, "prod", "Debian 12", "import-1", "1", "Debian 12 (1)",
                "upload", "http://x/d.qcow2", 1);

        ProducerRecord<String, String> record = records.of(started);

        assertEquals("evts", record.topic());
        assertEquals("prod/Debian 12", record.key());
        assertEquals("application/cloudevents+json; charset=UTF-8", contentType(record));
        assertTrue(record.value().contains("\"source\":\"/image-manager/importer-service\""), record.value());
        assertEquals(started, EventJson.decode(record.value(), ImageEvent.class));
    }

    @Test
    void shouldPutAnActionOnTheActionsTopicWithItsPublicationTime() {
        RenameImage rename = new RenameImage("rename-1", "prod", "Debian 12", "id-1", "Debian 12 (1)", "Debian 12");

        ProducerRecord<String, String> record = records.of(rename, T);

        assertEquals("acts", record.topic());
        assertEquals("prod/Debian 12", record.key());
        assertEquals(EventJson.CONTENT_TYPE, contentType(record));
        assertTrue(record.value().contains("\"time\":\"2024-05-01T12:00:00Z\""), record.value());
        assertEquals(rename, EventJson.decode(record.value(), ImageAction.class));
    }

    @Test
    void shouldPutADefinitionOnTheDefinitionsTopicUnderTheImageName() {
        DefinitionChanged changed = new DefinitionChanged("e-2", T, image("Debian 12").versions("1").build(),
                new DefinitionSource("debian.yml", 1, "abc"));

        ProducerRecord<String, String> record = records.of(changed);

        assertEquals("defs", record.topic());
        assertEquals("Debian 12", record.key());
        assertEquals(EventJson.CONTENT_TYPE, contentType(record));
        assertEquals(changed, EventJson.decode(record.value(), DefinitionEvent.class));
    }

    private static String contentType(ProducerRecord<String, String> record) {
        Header header = record.headers().lastHeader("content-type");
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}

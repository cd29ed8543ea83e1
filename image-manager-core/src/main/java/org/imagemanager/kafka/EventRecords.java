package org.imagemanager.kafka;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.imagemanager.event.DefinitionEvent;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImageEvent;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The Kafka records of the three topics, for every producer (plain or transactional): CloudEvents in structured
 * mode, keyed by the record's key as before, with the {@code content-type} header of the Kafka protocol binding.
 *
 * @param source the CloudEvents source's last segment: the producing service, or {@code launcher} when the four run
 *               in one process ({@code image-manager.events.source}, set by {@link ServiceMain} and the launcher)
 */
@Singleton
public record EventRecords(TopicNames topics, @Value("${image-manager.events.source:unnamed}") String source) {
    public ProducerRecord<String, String> of(ImageEvent event) {
        return record(topics.events(), event.key(), EventJson.cloudEvent(event, source));
    }

    /** An action has no time of its own: {@code time} is when it is published. */
    public ProducerRecord<String, String> of(ImageAction action, Instant time) {
        return record(topics.actions(), action.key(), EventJson.cloudEvent(action, source, time));
    }

    public ProducerRecord<String, String> of(DefinitionEvent event) {
        return record(topics.definitions(), event.imageName(), EventJson.cloudEvent(event, source));
    }

    private static ProducerRecord<String, String> record(String topic, String key, String value) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
        record.headers().add("content-type", EventJson.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        return record;
    }
}

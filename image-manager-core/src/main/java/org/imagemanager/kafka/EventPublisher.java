package org.imagemanager.kafka;

import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.imagemanager.event.DefinitionEvent;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImageEvent;

import java.util.Map;
import org.slf4j.LoggerFactory;
import java.util.concurrent.ExecutionException;

/**
 * Publishes records to the three topics. Idempotent producer with {@code acks=all}; every send waits for the
 * broker's acknowledgement, so a caller that goes on (and commits its input offset) knows its output is durable.
 */
@Singleton
public class EventPublisher implements AutoCloseable {
    private final Producer<String, String> producer;
    private final TopicNames topics;

    public EventPublisher(@Value("${kafka.bootstrap.servers}") String bootstrapServers, TopicNames topics) {
        this.topics = topics;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "image-manager-" + ProcessHandle.current().pid(),
                ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), new StringSerializer());
    }

    public void publish(DefinitionEvent event) {
        send(topics.definitions(), event.imageName(), EventJson.encode(event));
    }

    public void publish(ImageAction action) {
        send(topics.actions(), action.key(), EventJson.encode(action));
    }

    public void publish(ImageEvent event) {
        send(topics.events(), event.key(), EventJson.encode(event));
    }

    /** For records nobody waits for (progress): sent without waiting, a failure is only logged. */
    public void publishQuietly(ImageEvent event) {
        producer.send(new ProducerRecord<>(topics.events(), event.key(), EventJson.encode(event)), (metadata, e) -> {
            if (e != null) {
                LoggerFactory.getLogger(EventPublisher.class).debug("progress event not published: {}", e.getMessage());
            }
        });
    }

    private void send(String topic, String key, String value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing to " + topic, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("publishing to " + topic + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    @PreDestroy
    @Override
    public void close() {
        producer.close();
    }
}

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
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImageEvent;

import java.time.Instant;
import java.util.Map;
import org.slf4j.LoggerFactory;
import java.util.concurrent.ExecutionException;

/**
 * Publishes records to the three topics, as CloudEvents ({@link EventRecords}). Idempotent producer with
 * {@code acks=all}; every send waits for the broker's acknowledgement, so a caller that goes on (and commits its
 * input offset) knows its output is durable.
 */
@Singleton
public class EventPublisher implements AutoCloseable {
    private final Producer<String, String> producer;
    private final EventRecords records;

    public EventPublisher(@Value("${kafka.bootstrap.servers}") String bootstrapServers, EventRecords records) {
        this.records = records;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "image-manager-" + ProcessHandle.current().pid(),
                ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), new StringSerializer());
    }

    /**
     * For a subclass that delivers records elsewhere (a sync carried out in one process, with no broker): no
     * producer, so every publish method must be overridden.
     */
    protected EventPublisher(EventRecords records) {
        this.records = records;
        this.producer = null;
    }

    public void publish(DefinitionEvent event) {
        send(records.of(event));
    }

    public void publish(ImageAction action) {
        send(records.of(action, Instant.now()));
    }

    public void publish(ImageEvent event) {
        send(records.of(event));
    }

    /** For records nobody waits for (progress): sent without waiting, a failure is only logged. */
    public void publishQuietly(ImageEvent event) {
        producer.send(records.of(event), (metadata, e) -> {
            if (e != null) {
                LoggerFactory.getLogger(EventPublisher.class).debug("progress event not published: {}", e.getMessage());
            }
        });
    }

    private void send(ProducerRecord<String, String> record) {
        try {
            producer.send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing to " + record.topic(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("publishing to " + record.topic() + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    @PreDestroy
    @Override
    public void close() {
        if (producer != null) {
            producer.close();
        }
    }
}

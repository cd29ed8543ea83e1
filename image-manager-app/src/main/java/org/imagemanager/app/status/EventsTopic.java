package org.imagemanager.app.status;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageEvent;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code image-events} topic read once from its beginning to the end it has when reading starts, as
 * {@code read_committed} consumers see it. No consumer group: reading leaves no trace on the broker.
 *
 * @param unreadable records that are no event of this version (a newer type, a foreign producer); skipped
 */
public record EventsTopic(List<ImageEvent> events, int unreadable) {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    public EventsTopic {
        events = List.copyOf(events);
    }

    public static EventsTopic read(String bootstrapServers, String topic) {
        return read(bootstrapServers, topic, null);
    }

    /**
     * @param since null: from the beginning; else only records written at or after it (by their Kafka timestamp), so
     *              a topic of long retention is not read whole
     */
    public static EventsTopic read(String bootstrapServers, String topic, Instant since) {
        return read(bootstrapServers, topic, since, true);
    }

    /** The whole topic, or no events when it does not exist yet (a pipeline that never ran on this broker). */
    public static EventsTopic readIfThere(String bootstrapServers, String topic) {
        return read(bootstrapServers, topic, null, false);
    }

    private static EventsTopic read(String bootstrapServers, String topic, Instant since, boolean required) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // a mistyped prefix must not leave an empty topic behind
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            if (partitions.isEmpty() && !required) {
                return new EventsTopic(List.of(), 0);
            }
            if (partitions.isEmpty()) {
                throw new IllegalStateException("there is no topic " + topic + " at " + bootstrapServers);
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            if (since != null) {
                Map<TopicPartition, Long> at = new java.util.HashMap<>();
                partitions.forEach(p -> at.put(p, since.toEpochMilli()));
                consumer.offsetsForTimes(at, TIMEOUT).forEach((partition, found) -> {
                    if (found == null) {
                        consumer.seekToEnd(List.of(partition)); // nothing that recent in this partition
                    } else {
                        consumer.seek(partition, found.offset());
                    }
                });
            }
            // read_committed: the end is the last stable offset, so an open transaction is not waited for
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            List<ImageEvent> events = new ArrayList<>();
            int unreadable = 0;
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic + " made no progress for " + TIMEOUT.toSeconds() + " s");
                }
                var records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    deadline = System.nanoTime() + TIMEOUT.toNanos(); // a long topic may take long; a stuck one may not
                }
                for (ConsumerRecord<String, String> record : records) {
                    try {
                        events.add(EventJson.decode(record.value(), ImageEvent.class));
                    } catch (UncheckedIOException | IllegalArgumentException e) {
                        unreadable++;
                    }
                }
            }
            return new EventsTopic(events, unreadable);
        }
    }
}

package org.imagemanager.importer;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImportImage;
import org.imagemanager.kafka.TopicNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Import actions, shared among all importer instances through one consumer group.
 *
 * <p>An import can take far longer than Kafka lets a consumer go without polling. So the work is handed to a
 * worker, the record's partition is paused, and the consumer keeps polling (it stays in the group). When the import
 * is done, its offset is committed (only then: a crash means redelivery, which the import handles idempotently) and
 * the partition resumes. One record per partition at a time keeps a family's actions in order. Every call on the
 * Kafka consumer happens on the polling thread.
 */
@Singleton
@Requires(property = "image-manager.importer.enabled", notEquals = "false")
public class ImportConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ImportConsumer.class);
    private static final int MAX_TRIES = 3;

    private final ImportService importer;
    private final String bootstrapServers;
    private final String groupId;
    private final TopicNames topics;
    private final int concurrency;
    private final ExecutorService workers;
    private final ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
    private final Map<TopicPartition, Long> working = new HashMap<>();
    private final Set<TopicPartition> waitingForAWorker = new HashSet<>();
    private final Map<String, Integer> tries = new HashMap<>();
    private final Duration maxPollInterval;
    private volatile boolean running;
    private Thread loop;

    public ImportConsumer(ImportService importer, TopicNames topics,
                          @Value("${kafka.bootstrap.servers}") String bootstrapServers,
                          @Value("${image-manager.kafka.group-prefix:image-manager}") String groupPrefix,
                          @Value("${image-manager.importer.concurrency:2}") int concurrency,
                          @Value("${image-manager.importer.max-poll-interval:5m}") Duration maxPollInterval) {
        this.maxPollInterval = maxPollInterval;
        this.importer = importer;
        this.topics = topics;
        this.bootstrapServers = bootstrapServers;
        this.groupId = groupPrefix + "-importer";
        this.concurrency = Math.max(1, concurrency);
        this.workers = Executors.newFixedThreadPool(this.concurrency, r -> {
            Thread thread = new Thread(r, "importer-worker");
            thread.setDaemon(true);
            return thread;
        });
    }

    @EventListener
    void onStartup(StartupEvent event) {
        start();
    }

    synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        loop = new Thread(this::run, "importer-consumer");
        loop.start();
    }

    private record Done(TopicPartition partition, long offset, boolean ok) {
    }

    private void run() {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, groupId,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // the consumer polls all the time, however long an import takes: the default bound is plenty
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) maxPollInterval.toMillis()),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topics.actions()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    finish(consumer); // commit what is done while the partitions are still ours
                    // work still running on a revoked partition is not committed: its new owner redoes it
                    // (idempotently: it finds this attempt's image by the import id)
                    partitions.forEach(working::remove);
                    waitingForAWorker.removeAll(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                }
            });
            while (running) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(300))) {
                    take(consumer, record);
                }
                finish(consumer);
            }
        } catch (RuntimeException e) {
            LOG.error("the import consumer stopped: {}", e.toString(), e);
        }
    }

    /** One record: a non-import is only committed; an import goes to a worker and pauses its partition. */
    private void take(KafkaConsumer<String, String> consumer, ConsumerRecord<String, String> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        if (working.containsKey(partition) || waitingForAWorker.contains(partition)) {
            return; // this partition is already paused behind an earlier record; it is fetched again later
        }
        ImageAction action = EventJson.decode(record.value(), ImageAction.class);
        if (!(action instanceof ImportImage importAction)) {
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(record.offset() + 1)));
            return;
        }
        consumer.pause(List.of(partition));
        if (working.size() >= concurrency) {
            consumer.seek(partition, record.offset()); // no worker free: read it again once one is
            waitingForAWorker.add(partition);
            return;
        }
        consumer.seek(partition, record.offset() + 1); // the records after it wait for the resume
        working.put(partition, record.offset());
        workers.submit(() -> {
            boolean ok = true;
            try {
                importer.importImage(importAction);
            } catch (RuntimeException e) {
                LOG.error("import {} failed unexpectedly: {}", importAction.actionId(), e.toString(), e);
                ok = false;
            }
            done.add(new Done(partition, record.offset(), ok));
        });
    }

    /** Commits finished imports and resumes their partitions (on the polling thread). */
    private void finish(KafkaConsumer<String, String> consumer) {
        Done finished;
        while ((finished = done.poll()) != null) {
            Long current = working.get(finished.partition());
            if (current == null || current != finished.offset()) {
                continue; // the partition was revoked meanwhile
            }
            working.remove(finished.partition());
            String key = finished.partition() + "@" + finished.offset();
            if (finished.ok() || tries.merge(key, 1, Integer::sum) >= MAX_TRIES) {
                tries.remove(key);
                consumer.commitSync(Map.of(finished.partition(), new OffsetAndMetadata(finished.offset() + 1)));
            } else {
                consumer.seek(finished.partition(), finished.offset()); // try the record again
            }
            consumer.resume(List.of(finished.partition()));
        }
        if (working.size() < concurrency && !waitingForAWorker.isEmpty()) {
            consumer.resume(new ArrayList<>(waitingForAWorker));
            waitingForAWorker.clear();
        }
    }

    @PreDestroy
    @Override
    public void close() {
        running = false;
        if (loop != null) {
            try {
                loop.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

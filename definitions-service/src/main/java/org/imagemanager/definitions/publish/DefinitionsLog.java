package org.imagemanager.definitions.publish;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.imagemanager.event.DefinitionChanged;
import org.imagemanager.event.DefinitionEvent;
import org.imagemanager.event.DefinitionRemoved;
import org.imagemanager.event.EventJson;
import org.imagemanager.kafka.TopicNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The definitions service's only memory: the {@code image-definitions} topic and its state topic, read with
 * {@code read_committed} and written in Kafka transactions.
 *
 * <p>Exactly once comes from two Kafka guarantees. The events of a commit and its state record are one transaction,
 * so they are seen together or not at all. And every instance uses the same {@code transactional.id}: starting a
 * producer fences the previous one and finishes (aborts) its open transaction, so a killed or racing instance can
 * never commit on top of a state it did not read. A fenced writer starts a new producer, re-reads the topics and
 * decides again ({@link Fenced}).
 */
public final class DefinitionsLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DefinitionsLog.class);

    private final String bootstrapServers;
    private final TopicNames topics;
    private final String transactionalId;
    private final Duration pauseBeforeCommit;
    private final KafkaConsumer<String, String> reader;
    private final Map<String, PublishedDefinition> definitions = new HashMap<>();
    private final Map<String, RepositoryState> repositories = new HashMap<>();
    /** The last offset of our own last transaction per partition, until {@link #catchUp()} has read past it. */
    private final Map<TopicPartition, Long> ownRecords = new HashMap<>();
    private Producer<String, String> producer;

    /** The caller's view was stale: another instance wrote meanwhile. Read again ({@link #catchUp()}) and retry. */
    public static final class Fenced extends Exception {
        Fenced(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * @param pauseBeforeCommit a pause between the last send and the commit of every transaction; zero in
     *                          production. Tests set it to kill the service at exactly that moment.
     */
    public DefinitionsLog(String bootstrapServers, TopicNames topics, String transactionalId, Duration pauseBeforeCommit) {
        this.bootstrapServers = bootstrapServers;
        this.topics = topics;
        this.transactionalId = transactionalId;
        this.pauseBeforeCommit = pauseBeforeCommit;
        this.reader = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "definitions-log-" + ProcessHandle.current().pid()),
                new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(topics.definitions(), topics.definitionsState())) {
            reader.partitionsFor(topic, Duration.ofSeconds(60))
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        reader.assign(partitions);
        reader.seekToBeginning(partitions);
        this.producer = newProducer(); // before the first read: fences and finishes whatever a previous instance left open
    }

    /**
     * Reads every committed record up to the end of both topics, and returns the state they describe. After our own
     * commit it also waits until that transaction's records are readable: {@code commitTransaction} returns before
     * the markers that make them visible to {@code read_committed} readers are written.
     */
    public synchronized PublishedView catchUp() {
        Map<TopicPartition, Long> end = new HashMap<>(reader.endOffsets(reader.assignment(), Duration.ofSeconds(60)));
        ownRecords.forEach((partition, offset) -> end.merge(partition, offset + 1, Math::max));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (end.entrySet().stream().anyMatch(e -> reader.position(e.getKey()) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new KafkaException("the definitions topics were not readable to their end within 60 s");
            }
            for (ConsumerRecord<String, String> record : reader.poll(Duration.ofMillis(100))) {
                apply(record);
            }
        }
        ownRecords.clear();
        return new PublishedView(definitions, repositories);
    }

    /** Writes {@code records} as one transaction. */
    public synchronized void commit(List<ProducerRecord<String, String>> records) throws Fenced {
        try {
            producer.beginTransaction();
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (ProducerRecord<String, String> record : records) {
                sent.add(producer.send(record));
            }
            producer.flush();
            pauseForTests();
            producer.commitTransaction();
            for (Future<RecordMetadata> future : sent) {
                RecordMetadata written = future.get();
                if (written.topic().equals(topics.events())) {
                    continue; // not read back: the events topic is not part of the state
                }
                ownRecords.merge(new TopicPartition(written.topic(), written.partition()), written.offset(), Math::max);
            }
        } catch (ProducerFencedException | InvalidProducerEpochException | OutOfOrderSequenceException e) {
            // Another instance (or our own restart) took over the transactional id: this producer is dead.
            producer.close(Duration.ZERO);
            producer = newProducer();
            throw new Fenced("another instance published meanwhile (" + e.getClass().getSimpleName() + ")", e);
        } catch (AuthorizationException e) {
            producer.close(Duration.ZERO);
            producer = newProducer();
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException(e);
        } catch (ExecutionException e) {
            throw new KafkaException("a record of a committed transaction has no offset", e.getCause());
        } catch (KafkaException e) {
            try {
                producer.abortTransaction();
            } catch (KafkaException abortFailed) {
                producer.close(Duration.ZERO);
                producer = newProducer();
            }
            throw e;
        }
    }

    private void pauseForTests() {
        if (pauseBeforeCommit.isZero()) {
            return;
        }
        LOG.warn("pausing {} before committing the transaction (image-manager.definitions.pause-before-commit)", pauseBeforeCommit);
        try {
            Thread.sleep(pauseBeforeCommit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted before commit", e);
        }
    }

    private Producer<String, String> newProducer() {
        KafkaProducer<String, String> created = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 120_000,
                ProducerConfig.CLIENT_ID_CONFIG, "definitions-" + ProcessHandle.current().pid()),
                new StringSerializer(), new StringSerializer());
        created.initTransactions();
        return created;
    }

    private void apply(ConsumerRecord<String, String> record) {
        if (record.topic().equals(topics.definitionsState())) {
            if (record.value() == null) {
                repositories.remove(record.key());
            } else {
                repositories.put(record.key(), EventJson.decode(record.value(), RepositoryState.class));
            }
            return;
        }
        if (record.value() == null) {
            definitions.remove(record.key());
            return;
        }
        DefinitionEvent event = EventJson.decode(record.value(), DefinitionEvent.class);
        switch (event) {
            case DefinitionChanged changed -> definitions.put(changed.imageName(),
                    new PublishedDefinition(changed.definition(), changed.source(), changed.repository()));
            case DefinitionRemoved removed -> definitions.remove(removed.imageName());
        }
    }

    @Override
    public synchronized void close() {
        producer.close(Duration.ofSeconds(5));
        reader.close(Duration.ofSeconds(5));
    }
}

package org.imagemanager.planner;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micronaut.context.ApplicationContext;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.imagemanager.definition.DefinitionSource;
import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.definition.VersionDefinition;
import org.imagemanager.event.DefinitionChanged;
import org.imagemanager.event.EventJson;
import org.imagemanager.kafka.TopicNames;
import org.imagemanager.kafka.TopicsInitializer;
import org.imagemanager.testsupport.DevCloud;
import org.imagemanager.testsupport.SharedKafka;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The definitions listener against the real broker: a tombstone removes the definition, without an error; a planner
 * that starts plans only from the newest version of each definition.
 */
class DefinitionTombstoneIT {
    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final TopicNames topics = new TopicNames("td-" + id, "ta-" + id, "te-" + id);
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private ApplicationContext context;
    private KafkaProducer<String, String> producer;

    @BeforeEach
    void setUp() {
        TopicsInitializer.ensure(SharedKafka.bootstrapServers(), topics, 1, (short) 1);
        log.start();
        root.addAppender(log);
        context = startPlanner("", "tomb-" + id); // no cloud: the first test is about the definitions alone
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer());
    }

    private ApplicationContext startPlanner(String clouds, String groupPrefix) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("kafka.bootstrap.servers", SharedKafka.bootstrapServers());
        properties.put("image-manager.topics.definitions", topics.definitions());
        properties.put("image-manager.topics.actions", topics.actions());
        properties.put("image-manager.topics.events", topics.events());
        properties.put("image-manager.topics.partitions", 1);
        properties.put("image-manager.kafka.group-prefix", groupPrefix);
        properties.put("image-manager.clouds-file", DevCloud.cloudsFile().toString());
        properties.put("image-manager.clouds", clouds);
        properties.put("image-manager.management-tag", "tomb-" + id);
        properties.put("micronaut.server.port", -1);
        properties.put("micronaut.server.host", "127.0.0.1");
        return ApplicationContext.builder().deduceEnvironment(false).properties(properties).start();
    }

    @AfterEach
    void tearDown() {
        producer.close();
        context.close();
        root.detachAppender(log);
    }

    @Test
    void aTombstoneRemovesTheDefinitionWithoutAnError() throws Exception {
        PlannerService planner = context.getBean(PlannerService.class);
        String name = "Tombstone " + id;
        ImageDefinition definition = new ImageDefinition(name, null, "qcow2", null, null, null, null, null, null,
                false, null, null, null, null, null, List.of(), Map.of(), List.of());
        String changed = EventJson.encode(new DefinitionChanged("e-" + id, Instant.now(), definition,
                new DefinitionSource("tomb.yml", 1, "abc")));

        producer.send(new ProducerRecord<>(topics.definitions(), name, changed)).get();
        awaitTrue(() -> planner.definitionNames().contains(name), "the definition arrives");

        producer.send(new ProducerRecord<>(topics.definitions(), name, null)).get();
        awaitTrue(() -> !planner.definitionNames().contains(name), "the tombstone removes the definition");

        // a copy taken under the appender's own lock: the planner's threads go on logging while this reads
        List<ILoggingEvent> logged;
        synchronized (log) {
            logged = List.copyOf(log.list);
        }
        List<String> errors = logged.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(List.of(), errors, "no error logged");
    }

    /**
     * The topic still holds an older version of a definition (until compaction): a planner that starts reads it
     * too, but plans only from the newest. A plan from the older one would retire, or delete, what the newer added.
     */
    @Test
    void aStartingPlannerPlansOnlyTheNewestVersionOfEachDefinition() throws Exception {
        String name = "Stale " + id;
        for (String version : List.of("1", "2", "3")) {
            producer.send(new ProducerRecord<>(topics.definitions(), name, EventJson.encode(new DefinitionChanged("e-" + version,
                    Instant.now(), definition(name, version), new DefinitionSource("stale.yml", 1, "c" + version))))).get();
        }
        try (org.apache.kafka.clients.consumer.KafkaConsumer<String, String> events = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                Map.of(org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers(),
                        org.apache.kafka.clients.consumer.ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                        org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new org.apache.kafka.common.serialization.StringDeserializer(), new org.apache.kafka.common.serialization.StringDeserializer());
             ApplicationContext planner = startPlanner(DevCloud.ADMIN_CLOUD, "stale-" + id)) {
            events.assign(List.of(new org.apache.kafka.common.TopicPartition(topics.events(), 0)));
            events.seekToBeginning(events.assignment());
            List<org.imagemanager.event.PlanComputed> plans = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (plans.isEmpty() && System.nanoTime() < deadline) {
                for (var record : events.poll(Duration.ofMillis(200))) {
                    if (EventJson.decode(record.value(), org.imagemanager.event.ImageEvent.class)
                            instanceof org.imagemanager.event.PlanComputed plan && plan.family().equals(name)) {
                        plans.add(plan);
                    }
                }
            }
            assertTrue(!plans.isEmpty(), "the definition is planned");
            Thread.sleep(2000); // anything a stale definition caused would be there by now
            events.poll(Duration.ofMillis(500)).forEach(record -> {
                if (EventJson.decode(record.value(), org.imagemanager.event.ImageEvent.class)
                        instanceof org.imagemanager.event.PlanComputed plan && plan.family().equals(name)) {
                    plans.add(plan);
                }
            });
            for (org.imagemanager.event.PlanComputed plan : plans) {
                assertEquals(List.of("import '" + name + " 3' from http://127.0.0.1:9/3.qcow2"), plan.descriptions(),
                        "only the newest version is ever planned: " + plans);
            }
            assertTrue(planner.getBean(PlannerService.class).definitionsCurrent());
        }
    }

    private static ImageDefinition definition(String name, String version) {
        VersionDefinition v = new VersionDefinition(version, "http://127.0.0.1:9/" + version + ".qcow2", null,
                "sha256:" + version.repeat(64), null, null, "2026-11-01", null, null, null, Map.of(), null, null, null);
        return new ImageDefinition(name, null, "qcow2", null, null, null, null, null, "private", false, null, null,
                null, null, null, List.of(), Map.of(), List.of(v));
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "within 20 s: " + what);
            Thread.sleep(50);
        }
    }
}

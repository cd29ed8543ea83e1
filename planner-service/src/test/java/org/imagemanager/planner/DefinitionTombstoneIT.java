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

/** The definitions listener against the real broker: a tombstone removes the definition, without an error. */
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
        Map<String, Object> properties = new HashMap<>();
        properties.put("kafka.bootstrap.servers", SharedKafka.bootstrapServers());
        properties.put("image-manager.topics.definitions", topics.definitions());
        properties.put("image-manager.topics.actions", topics.actions());
        properties.put("image-manager.topics.events", topics.events());
        properties.put("image-manager.topics.partitions", 1);
        properties.put("image-manager.kafka.group-prefix", "tomb-" + id);
        properties.put("image-manager.clouds-file", DevCloud.cloudsFile().toString());
        properties.put("image-manager.clouds", ""); // no cloud: the test is about the definitions alone
        properties.put("micronaut.server.port", -1);
        properties.put("micronaut.server.host", "127.0.0.1");
        context = ApplicationContext.builder().deduceEnvironment(false).properties(properties).start();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer());
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

        List<String> errors = log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(List.of(), errors, "no error logged");
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "within 20 s: " + what);
            Thread.sleep(50);
        }
    }
}

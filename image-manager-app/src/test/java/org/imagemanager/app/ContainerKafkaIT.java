package org.imagemanager.app;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.RenameImage;
import org.imagemanager.kafka.EventPublisher;
import org.imagemanager.kafka.EventRecords;
import org.imagemanager.kafka.TopicNames;
import org.imagemanager.kafka.TopicsInitializer;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The topics and the publisher against Kafka in a container (pinned image); runs only where Docker runs. */
@Testcontainers(disabledWithoutDocker = true)
class ContainerKafkaIT {
    @Container
    static final KafkaContainer KAFKA = new KafkaContainer(DockerImageName.parse("apache/kafka:4.1.1"));

    @Test
    void createsACompactedDefinitionsTopicAndPublishesActionsKeyedByCloudAndFamily() throws Exception {
        TopicNames topics = new TopicNames("d", "a", "e");
        TopicsInitializer.ensure(KAFKA.getBootstrapServers(), topics, 3, (short) 1);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers()))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "d");
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertEquals("compact", config.get("cleanup.policy").value());
        }
        RenameImage rename = new RenameImage("rename-1", "prod", "Ubuntu 24.04", "id-1", "Ubuntu 24.04 (1)", "Ubuntu 24.04");
        try (EventPublisher publisher = new EventPublisher(KAFKA.getBootstrapServers(), new EventRecords(topics, "test"))) {
            publisher.publish(rename);
        }
        try (var consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "t", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("a"));
            ConsumerRecord<String, String> record = null;
            for (int i = 0; i < 60 && record == null; i++) {
                var records = consumer.poll(Duration.ofSeconds(1));
                record = records.isEmpty() ? null : records.iterator().next();
            }
            assertEquals("prod/Ubuntu 24.04", record.key());
            assertEquals(rename, EventJson.decode(record.value(), ImageAction.class));
        }
    }
}

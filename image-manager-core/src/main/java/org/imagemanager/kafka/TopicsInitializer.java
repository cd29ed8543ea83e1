package org.imagemanager.kafka;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the topics when they are missing, before any listener starts ({@code @Context}: eager).
 * {@code image-definitions} is compacted: it always holds the latest definition of every image.
 */
@Context
public class TopicsInitializer {
    private static final Logger LOG = LoggerFactory.getLogger(TopicsInitializer.class);

    public TopicsInitializer(@Value("${kafka.bootstrap.servers}") String bootstrapServers,
                             @Value("${image-manager.topics.partitions:6}") int partitions,
                             @Value("${image-manager.topics.replication-factor:1}") short replication,
                             TopicNames topics) {
        ensure(bootstrapServers, topics, partitions, replication);
    }

    public static void ensure(String bootstrapServers, TopicNames topics, int partitions, short replication) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            List<NewTopic> wanted = List.of(
                    new NewTopic(topics.definitions(), partitions, replication)
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                    new NewTopic(topics.definitionsState(), 1, replication)
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                    new NewTopic(topics.actions(), partitions, replication),
                    new NewTopic(topics.events(), partitions, replication));
            for (NewTopic topic : wanted) {
                try {
                    admin.createTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
                    LOG.info("created topic {}", topic.name());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + topic.name() + ": " + e.getCause().getMessage(), e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer within 60 s", e);
        }
    }
}

package org.imagemanager.importer;

import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaKey;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.annotation.Topic;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImportImage;

/**
 * Import actions, shared among all importer instances through one consumer group. The offset is committed only
 * after the outcome event was acknowledged, so a crash means redelivery, which the service handles idempotently.
 */
@KafkaListener(groupId = "${image-manager.kafka.group-prefix:image-manager}-importer",
        offsetReset = OffsetReset.EARLIEST, offsetStrategy = OffsetStrategy.SYNC_PER_RECORD,
        // concurrent imports per instance: one consumer per thread, the partitions shared among them
        threadsValue = "${image-manager.importer.concurrency:2}",
        // An import of a large image takes long; the consumer must not be thrown out of the group meanwhile.
        properties = @Property(name = ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, value = "3600000"),
        errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_ON_ERROR, retryCount = 3, retryDelay = "5s"))
@Requires(property = "image-manager.importer.enabled", notEquals = "false")
public class ImportListener {
    private final ImportService importer;

    public ImportListener(ImportService importer) {
        this.importer = importer;
    }

    @Topic("${image-manager.topics.actions:image-actions}")
    public void receive(@KafkaKey String key, String value) {
        if (EventJson.decode(value, ImageAction.class) instanceof ImportImage action) {
            importer.importImage(action);
        }
    }
}

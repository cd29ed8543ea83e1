package org.imagemanager.rotator;

import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaKey;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.annotation.Topic;
import io.micronaut.context.annotation.Requires;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageAction;

/** Non-import actions, in order per family (the record key), committed after the outcome is published. */
@KafkaListener(groupId = "${image-manager.kafka.group-prefix:image-manager}-rotator",
        offsetReset = OffsetReset.EARLIEST, offsetStrategy = OffsetStrategy.SYNC_PER_RECORD,
        errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_ON_ERROR, retryCount = 3, retryDelay = "2s"))
@Requires(property = "image-manager.rotator.enabled", notEquals = "false")
public class RotatorListener {
    private final RotatorService rotator;

    public RotatorListener(RotatorService rotator) {
        this.rotator = rotator;
    }

    @Topic("${image-manager.topics.actions:image-actions}")
    public void receive(@KafkaKey String key, String value) {
        rotator.apply(EventJson.decode(value, ImageAction.class));
    }
}

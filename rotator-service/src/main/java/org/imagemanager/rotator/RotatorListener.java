package org.imagemanager.rotator;

import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaKey;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.annotation.Topic;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import org.imagemanager.event.RenameImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageAction;

/** Non-import actions, in order per family (the record key), committed after the outcome is published. */
@KafkaListener(groupId = "${image-manager.kafka.group-prefix:image-manager}-rotator",
        offsetReset = OffsetReset.EARLIEST, offsetStrategy = OffsetStrategy.SYNC_PER_RECORD,
        errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_ON_ERROR, retryCount = 3, retryDelay = "2s"))
@Requires(property = "image-manager.rotator.enabled", notEquals = "false")
public class RotatorListener {
    private static final Logger LOG = LoggerFactory.getLogger(RotatorListener.class);

    private final RotatorService rotator;
    private final int pauseAfterRename;
    private final AtomicInteger renames = new AtomicInteger();

    /**
     * @param pauseAfterRename fault injection, 0 (off) unless set: after this process's N-th rename the listener
     *                         stops before committing, so a test can kill it between the two renames of a rotation
     */
    public RotatorListener(RotatorService rotator,
                           @Value("${image-manager.rotator.fault.pause-after-rename:0}") int pauseAfterRename) {
        this.rotator = rotator;
        this.pauseAfterRename = pauseAfterRename;
    }

    @Topic("${image-manager.topics.actions:image-actions}")
    public void receive(@KafkaKey String key, String value) throws InterruptedException {
        ImageAction action = EventJson.decode(value, ImageAction.class);
        rotator.apply(action);
        if (pauseAfterRename > 0 && action instanceof RenameImage && renames.incrementAndGet() == pauseAfterRename) {
            LOG.warn("pausing after rename number {} (image-manager.rotator.fault.pause-after-rename)", pauseAfterRename);
            Thread.sleep(Duration.ofMinutes(10));
        }
    }
}

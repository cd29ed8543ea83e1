package org.imagemanager.rotator;

import jakarta.inject.Singleton;
import org.imagemanager.cloud.Clouds;
import org.imagemanager.event.ActionSkipped;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.ImageRenamed;
import org.imagemanager.event.ImportImage;
import org.imagemanager.event.RenameImage;
import org.imagemanager.event.SetVisibility;
import org.imagemanager.event.VisibilityChanged;
import org.imagemanager.glance.GlanceClient;
import org.imagemanager.plan.ObservedImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Carries out every non-import action. Each one first checks its precondition against the image as it is now; a
 * stale or replayed action is skipped with a reason, never applied blindly. That makes every action idempotent.
 */
@Singleton
public class RotatorService {
    private static final Logger LOG = LoggerFactory.getLogger(RotatorService.class);

    private final Clouds clouds;
    private final org.imagemanager.kafka.EventPublisher publisher;
    private final Clock clock = Clock.systemUTC();

    public RotatorService(Clouds clouds, org.imagemanager.kafka.EventPublisher publisher) {
        this.clouds = clouds;
        this.publisher = publisher;
    }

    /** Applies the action (imports are not ours) and publishes what happened; returns that event, if any. */
    public Optional<ImageEvent> apply(ImageAction action) {
        Optional<ImageEvent> outcome = switch (action) {
            case RenameImage rename -> Optional.of(rename(rename));
            case SetVisibility visibility -> Optional.of(visibility(visibility));
            case ImportImage ignored -> Optional.empty();
        };
        outcome.ifPresent(publisher::publish);
        return outcome;
    }

    private ImageEvent rename(RenameImage action) {
        GlanceClient glance = clouds.glance(action.cloud());
        Optional<ObservedImage> image = glance.get(action.imageId());
        if (image.isEmpty()) {
            return skipped(action, "image " + action.imageId() + " no longer exists");
        }
        if (action.toName().equals(image.get().name())) {
            return skipped(action, "already called '" + action.toName() + "'");
        }
        if (!action.fromName().equals(image.get().name())) {
            return skipped(action, "image is now called '" + image.get().name() + "', not '" + action.fromName() + "'");
        }
        List<ObservedImage> holders = glance.listImagesNamed(action.toName());
        if (!holders.isEmpty()) {
            // Never two images with one name: the plan frees the name first; until then this waits for a re-plan.
            return skipped(action, "name '" + action.toName() + "' is still taken by " + holders.getFirst().id());
        }
        glance.rename(action.imageId(), action.toName());
        LOG.info("cloud={} image={}: renamed '{}' -> '{}'", action.cloud(), action.family(), action.fromName(), action.toName());
        return new ImageRenamed(EventJson.newEventId(), clock.instant(), action.cloud(), action.family(),
                action.actionId(), action.imageId(), action.fromName(), action.toName());
    }

    private ImageEvent visibility(SetVisibility action) {
        GlanceClient glance = clouds.glance(action.cloud());
        Optional<ObservedImage> image = glance.get(action.imageId());
        if (image.isEmpty()) {
            return skipped(action, "image " + action.imageId() + " no longer exists");
        }
        if (action.to().equals(image.get().visibility())) {
            return skipped(action, "already " + action.to());
        }
        if (!action.from().equals(image.get().visibility())) {
            return skipped(action, "visibility is now " + image.get().visibility() + ", not " + action.from());
        }
        glance.setVisibility(action.imageId(), action.to());
        LOG.info("cloud={} image={}: visibility of '{}' {} -> {}", action.cloud(), action.family(), image.get().name(),
                action.from(), action.to());
        return new VisibilityChanged(EventJson.newEventId(), clock.instant(), action.cloud(), action.family(),
                action.actionId(), action.imageId(), image.get().name(), action.from(), action.to());
    }

    private ActionSkipped skipped(ImageAction action, String reason) {
        LOG.info("cloud={} image={}: skipped {}: {}", action.cloud(), action.family(), action.describe(), reason);
        return new ActionSkipped(EventJson.newEventId(), clock.instant(), action.cloud(), action.family(),
                action.actionId(), action.describe(), reason);
    }
}

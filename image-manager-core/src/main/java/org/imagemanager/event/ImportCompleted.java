package org.imagemanager.event;

import java.time.Instant;

/** An image is active in Glance with bytes whose digest matched the definition. */
public record ImportCompleted(String eventId, Instant time, String cloud, String family, String actionId,
                              String version, String imageId, String imageName, String checksum, long bytes,
                              boolean alreadyPresent) implements ImageEvent {
    @Override
    public String key() {
        return EventKeys.of(cloud, family);
    }
}

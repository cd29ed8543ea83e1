package org.imagemanager.event;

import java.time.Instant;

public record ImageRenamed(String eventId, Instant time, String cloud, String family, String actionId,
                           String imageId, String from, String to) implements ImageEvent {
    @Override
    public String key() {
        return EventKeys.of(cloud, family);
    }
}

package org.imagemanager.event;

import java.time.Instant;

/** An import did not complete; no half-made image is left behind. */
public record ImportFailed(String eventId, Instant time, String cloud, String family, String actionId,
                           String version, String imageName, FailureReason reason, String expected, String actual,
                           String message) implements ImageEvent {
    @Override
    public String key() {
        return EventKeys.of(cloud, family);
    }
}

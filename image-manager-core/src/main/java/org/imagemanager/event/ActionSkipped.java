package org.imagemanager.event;

import java.time.Instant;

/** An action was not applied because its precondition no longer held (it was stale or a replay). */
public record ActionSkipped(String eventId, Instant time, String cloud, String family, String actionId,
                            String action, String reason) implements ImageEvent {
    @Override
    public String key() {
        return EventKeys.of(cloud, family);
    }
}

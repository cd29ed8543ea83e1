package org.imagemanager.event;

import java.time.Instant;

/** An import attempt began: which method, which source (upstream or mirror), which attempt. */
public record ImportStarted(String eventId, Instant time, String cloud, String family, String actionId, String version,
                            String imageName, String method, String source, int attempt) implements ImageEvent {
    @Override
    public String key() {
        return EventKeys.of(cloud, family);
    }
}

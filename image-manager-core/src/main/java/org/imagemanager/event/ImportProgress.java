package org.imagemanager.event;

import java.time.Instant;

/**
 * How far a running import is (published at most every few seconds).
 *
 * @param totalBytes     the source's size when known, else -1
 * @param bytesPerSecond the average rate so far
 * @param etaSeconds     the expected time left when the size is known, else -1
 */
public record ImportProgress(String eventId, Instant time, String cloud, String family, String actionId, String imageName,
                             long bytes, long totalBytes, long bytesPerSecond, long etaSeconds) implements ImageEvent {
    @Override
    public String key() {
        return EventKeys.of(cloud, family);
    }
}

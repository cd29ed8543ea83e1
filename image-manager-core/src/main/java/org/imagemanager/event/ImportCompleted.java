package org.imagemanager.event;

import java.time.Instant;

/**
 * An image is active in Glance with bytes whose digest matched the definition.
 *
 * @param checksum       the definition's digest, verified on the source bytes
 * @param sha512         sha512 of the bytes Glance stored (what Glance reports as os_hash_value), when known
 * @param method         upload, glance-direct or web-download
 * @param source         the URL the bytes came from (upstream or mirror)
 * @param alreadyPresent a replayed action found the finished image of an earlier attempt
 */
public record ImportCompleted(String eventId, Instant time, String cloud, String family, String actionId,
                              String version, String imageId, String imageName, String checksum, long bytes,
                              boolean alreadyPresent, String sha512, String method, String source, long durationMillis)
        implements ImageEvent {
    @Override
    public String key() {
        return EventKeys.of(cloud, family);
    }
}

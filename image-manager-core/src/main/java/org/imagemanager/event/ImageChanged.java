package org.imagemanager.event;

import java.time.Instant;

/**
 * The rotator changed an image: what ({@code change}), and the value before and after (as text, e.g. the old and
 * new name, or the properties set; for {@code MEMBERS} the project and its membership, e.g. {@code p1: pending} →
 * {@code p1: accepted}).
 */
public record ImageChanged(String eventId, Instant time, String cloud, String family, String actionId,
                           Change change, String imageId, String imageName, String before, String after) implements ImageEvent {
    public enum Change {
        RENAMED, VISIBILITY, PROPERTIES_SET, PROPERTIES_REMOVED, TAGS, MINIMUMS, HIDDEN, DEACTIVATED, REACTIVATED, DELETED, MEMBERS
    }

    @Override
    public String key() {
        return EventKeys.of(cloud, family);
    }
}

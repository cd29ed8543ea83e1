package org.imagemanager.event;

import java.time.Instant;

/**
 * The cloud refused an action (e.g. 403: the project may not make images public). Reported with Glance's answer;
 * the planner tries again later, never in a loop, and the other clouds are not held up.
 *
 * @param status the HTTP status Glance answered with
 */
public record ActionFailed(String eventId, Instant time, String cloud, String family, String actionId,
                           String action, int status, String reason) implements ImageEvent {
    @Override
    public String key() {
        return EventKeys.of(cloud, family);
    }
}

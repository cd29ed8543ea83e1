package org.imagemanager.event;

import java.time.Instant;

/**
 * An action was not carried out because another run (another pipeline: a second {@code sync}, a {@code serve} on
 * another broker) holds the family's claim in this cloud. The family is left alone for this round; the next plan
 * after the claim has expired or was released tries again.
 *
 * @param holder who holds the claim (its pipeline, as it wrote it on the claim)
 * @param until  when that claim expires unless its holder renews it
 */
public record LeftAlone(String eventId, Instant time, String cloud, String family, String actionId, String action,
                        String holder, Instant until) implements ImageEvent {
    @Override
    public String key() {
        return EventKeys.of(cloud, family);
    }

    public String describe() {
        return "held by another run (" + holder + ") until " + until;
    }
}

package org.imagemanager.planner;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InFlightActionsTest {
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private final InFlightActions inFlight = new InFlightActions(Duration.ofMinutes(15), Duration.ofMinutes(10));

    @Test
    void anActionUnderWayIsNotPublishedAgainUntilItsWorkerFallsSilent() {
        assertTrue(inFlight.shouldPublish("a", T0));
        inFlight.published("a", T0);
        assertFalse(inFlight.shouldPublish("a", T0.plusSeconds(60)));
        inFlight.alive("a", T0.plus(Duration.ofMinutes(14)));
        assertFalse(inFlight.shouldPublish("a", T0.plus(Duration.ofMinutes(20))), "progress keeps it alive");
        assertTrue(inFlight.shouldPublish("a", T0.plus(Duration.ofMinutes(29))), "silent for 15 minutes: again");
    }

    @Test
    void anAnsweredActionIsForgotten() {
        inFlight.published("a", T0);
        inFlight.answered("a");
        assertTrue(inFlight.shouldPublish("a", T0.plusSeconds(1)));
    }

    @Test
    void aFailedActionIsRetriedOnlyAfterAPause() {
        inFlight.published("a", T0);
        inFlight.failed("a", T0.plusSeconds(30));
        assertFalse(inFlight.shouldPublish("a", T0.plus(Duration.ofMinutes(5))));
        inFlight.alive("a", T0.plus(Duration.ofMinutes(9)));
        assertTrue(inFlight.shouldPublish("a", T0.plus(Duration.ofMinutes(11))), "late progress does not postpone a retry");
    }
}

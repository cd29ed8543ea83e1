package org.imagemanager.importer;

import org.imagemanager.event.FailureReason;
import org.imagemanager.glance.Glance;
import org.imagemanager.plan.ObservedImage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Waits for an image to become {@code active}, with a deadline per phase: an image that stays {@code queued} too
 * long, is {@code killed} or {@code deleted}, or takes longer than the attempt may, fails with a named reason.
 * Never stuck, never silent.
 */
final class ImportWatch {
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final Clock clock;
    private final Sleeper sleeper;

    ImportWatch(Clock clock, Sleeper sleeper) {
        this.clock = clock;
        this.sleeper = sleeper;
    }

    ObservedImage awaitActive(Glance glance, String imageId, ImportSettings settings, Instant attemptStarted)
            throws ImportFailure {
        Instant queuedSince = clock.instant();
        while (true) {
            Optional<ObservedImage> image = glance.get(imageId);
            if (image.isEmpty()) {
                throw ImportFailure.of(FailureReason.GLANCE_REJECTED, "image " + imageId + " vanished while importing");
            }
            String status = image.get().status();
            // Glance records an interoperable import that failed (e.g. web-download could not fetch the source)
            // here, and leaves the image queued: waiting for the queued deadline would only lose time
            String failedImport = image.get().property("os_glance_failed_import");
            if (failedImport != null && !failedImport.isBlank()) {
                throw ImportFailure.of(FailureReason.GLANCE_REJECTED, "Glance's import of image " + imageId
                        + " failed (os_glance_failed_import: " + failedImport + ")");
            }
            switch (status) {
                case "active" -> {
                    return image.get();
                }
                case "killed", "deleted", "pending_delete" ->
                        throw ImportFailure.of(FailureReason.GLANCE_REJECTED, "Glance set image " + imageId + " to " + status);
                case "queued" -> {
                    if (clock.instant().isAfter(queuedSince.plus(settings.queuedTimeout))) {
                        throw ImportFailure.of(FailureReason.GLANCE_STUCK, "image " + imageId + " stayed queued for "
                                + settings.queuedTimeout);
                    }
                }
                default -> queuedSince = clock.instant(); // saving, uploading, importing: it moves
            }
            if (clock.instant().isAfter(attemptStarted.plus(settings.attemptTimeout))) {
                throw ImportFailure.of(FailureReason.TIMEOUT, "image " + imageId + " is still " + status + " after "
                        + settings.attemptTimeout);
            }
            try {
                sleeper.sleep(settings.pollInterval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ImportFailure.of(FailureReason.TIMEOUT, "interrupted while waiting for image " + imageId);
            }
        }
    }
}

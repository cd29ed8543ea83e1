package org.imagemanager.importer;

import jakarta.inject.Singleton;
import org.imagemanager.cloud.Clouds;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.FailureReason;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.ImportCompleted;
import org.imagemanager.event.ImportFailed;
import org.imagemanager.event.ImportImage;
import org.imagemanager.glance.GlanceClient;
import org.imagemanager.glance.GlanceException;
import org.imagemanager.glance.NewImage;
import org.imagemanager.kafka.EventPublisher;
import org.imagemanager.plan.ImageProperties;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.source.ChecksumFiles;
import org.imagemanager.source.SourceFetcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Carries out one {@link ImportImage}: source → digest check (while streaming) → Glance, in one pass, with a
 * bounded buffer. Idempotent: the action id is written onto the image, so a replayed action finds the finished
 * image (and reports it) or the remains of a crashed attempt (and removes them before trying again).
 */
@Singleton
public class ImportService {
    private static final Logger LOG = LoggerFactory.getLogger(ImportService.class);
    private static final int BUFFER = 1 << 20;

    private final Clouds clouds;
    private final SourceFetcher sources;
    private final EventPublisher publisher;
    private final Clock clock = Clock.systemUTC();

    public ImportService(Clouds clouds, SourceFetcher sources, EventPublisher publisher) {
        this.clouds = clouds;
        this.sources = sources;
        this.publisher = publisher;
    }

    public ImageEvent importImage(ImportImage action) {
        ImageEvent outcome = attempt(action);
        publisher.publish(outcome);
        return outcome;
    }

    private ImageEvent attempt(ImportImage action) {
        String log = "cloud=" + action.cloud() + " image=" + action.family() + "@" + action.version();
        GlanceClient glance;
        List<ObservedImage> earlier;
        try {
            glance = clouds.glance(action.cloud());
            // Our own earlier attempts: the same import (same id), or a dead image of the same version
            // (e.g. killed while the definition named another URL) that would otherwise hold the name.
            earlier = glance.listImages(action.tags().getFirst()).stream()
                    .filter(image -> action.actionId().equals(image.property(ImageProperties.IMPORT_ID))
                            || (!image.usable() && action.family().equals(image.property(ImageProperties.FAMILY))
                            && action.imageName().equals(image.name())))
                    .toList();
        } catch (RuntimeException e) {
            return failed(action, FailureReason.CLOUD_UNAVAILABLE, null, null, e.getMessage());
        }
        Optional<ObservedImage> done = earlier.stream().filter(ObservedImage::usable).findFirst();
        if (done.isPresent()) {
            LOG.info("{}: already imported as {} ({}), nothing to do", log, done.get().name(), done.get().id());
            return new ImportCompleted(EventJson.newEventId(), clock.instant(), action.cloud(), action.family(),
                    action.actionId(), action.version(), done.get().id(), done.get().name(), action.checksum(), 0, true);
        }
        for (ObservedImage leftover : earlier.stream().filter(image -> !image.usable()).toList()) {
            LOG.warn("{}: removing leftover {} ({}) of an interrupted import", log, leftover.id(), leftover.status());
            glance.delete(leftover.id());
        }
        List<ObservedImage> sameName = glance.listImagesNamed(action.imageName());
        if (!sameName.isEmpty()) {
            return failed(action, FailureReason.NAME_TAKEN, null, sameName.getFirst().id(),
                    "an image named '" + action.imageName() + "' already exists (" + sameName.getFirst().id() + ")");
        }

        String imageId = null;
        VerifyingInputStream verifying = null;
        ExpectedDigest expected = null;
        try (InputStream source = openSource(action)) {
            String checksum = expectedChecksum(action);
            expected = checksum == null ? null : ExpectedDigest.parse(checksum);
            verifying = new VerifyingInputStream(new BufferedInputStream(source, BUFFER), expected);
            imageId = glance.create(new NewImage(action.fixedId(), action.imageName(), action.diskFormat(), action.minDisk(),
                    action.minRam(), action.properties(), action.tags()));
            LOG.info("{}: created {} as {}, streaming {}", log, action.imageName(), imageId, action.url());
            glance.upload(imageId, verifying);
            ObservedImage uploaded = glance.get(imageId)
                    .orElseThrow(() -> new GlanceException("image vanished after upload", 404));
            String glanceHash = uploaded.property("os_hash_value");
            if (!verifying.complete()) {
                throw new IOException("upload ended before the end of the source");
            }
            if (glanceHash != null && !glanceHash.equals(verifying.sha512())) {
                glance.delete(imageId);
                return failed(action, FailureReason.HASH_MISMATCH_AFTER_UPLOAD, "sha512:" + verifying.sha512(),
                        "sha512:" + glanceHash, "Glance stored other bytes than were sent");
            }
            if (!"active".equals(uploaded.status())) {
                glance.delete(imageId);
                return failed(action, FailureReason.GLANCE_REJECTED, "active", uploaded.status(),
                        "image is " + uploaded.status() + " after upload");
            }
            LOG.info("{}: imported {} ({} bytes, {})", log, imageId, verifying.bytes(), verifying.actual());
            return new ImportCompleted(EventJson.newEventId(), clock.instant(), action.cloud(), action.family(),
                    action.actionId(), action.version(), imageId, action.imageName(), verifying.actual(),
                    verifying.bytes(), false);
        } catch (SourceFetcher.SourceException e) {
            return failed(action, e.reason(), null, null, e.getMessage());
        } catch (IOException | RuntimeException e) {
            removeQuietly(glance, imageId, log);
            if (verifying != null && verifying.mismatch() && expected != null) {
                return failed(action, FailureReason.CHECKSUM_MISMATCH, expected.toString(), verifying.actual(),
                        "checksum mismatch: expected " + expected + ", got " + verifying.actual());
            }
            FailureReason reason = e instanceof GlanceException ? FailureReason.GLANCE_REJECTED : FailureReason.SOURCE_UNREACHABLE;
            return failed(action, reason, null, null, e.getMessage());
        }
    }

    /** The mirror when there is one (one download from upstream feeds many clouds), else or on failure the URL. */
    private InputStream openSource(ImportImage action) throws SourceFetcher.SourceException {
        if (action.mirrorUrl() != null) {
            try {
                return sources.open(action.mirrorUrl());
            } catch (SourceFetcher.SourceException e) {
                LOG.warn("cloud={} image={}@{}: mirror failed, falling back to {}: {}", action.cloud(), action.family(),
                        action.version(), action.url(), e.getMessage());
            }
        }
        return sources.open(action.url());
    }

    /** The digest to verify: the definition's, or the one published at checksum_url / checksums_url. */
    private String expectedChecksum(ImportImage action) throws SourceFetcher.SourceException {
        if (action.checksum() != null) {
            return action.checksum();
        }
        if (action.checksumUrl() != null) {
            return ChecksumFiles.bare(sources.text(action.checksumUrl())).orElseThrow(() -> new SourceFetcher.SourceException(
                    FailureReason.CHECKSUM_MISMATCH, "no digest found in " + action.checksumUrl()));
        }
        if (action.checksumsUrl() != null) {
            String file = ChecksumFiles.fileNameOf(action.url());
            return ChecksumFiles.fromSums(sources.text(action.checksumsUrl()), file).orElseThrow(() -> new SourceFetcher.SourceException(
                    FailureReason.CHECKSUM_MISMATCH, "no line for " + file + " in " + action.checksumsUrl()));
        }
        return null;
    }

    private void removeQuietly(GlanceClient glance, String imageId, String log) {
        if (imageId == null) {
            return;
        }
        try {
            glance.delete(imageId);
        } catch (RuntimeException e) {
            LOG.error("{}: could not remove half-made image {}; the next attempt removes it: {}", log, imageId, e.getMessage());
        }
    }

    private ImportFailed failed(ImportImage action, FailureReason reason, String expected, String actual, String message) {
        LOG.warn("cloud={} image={}@{}: import failed ({}): {}", action.cloud(), action.family(), action.version(), reason, message);
        return new ImportFailed(EventJson.newEventId(), clock.instant(), action.cloud(), action.family(),
                action.actionId(), action.version(), action.imageName(), reason, expected, actual, message);
    }
}

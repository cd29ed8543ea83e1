package org.imagemanager.importer;

import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import org.imagemanager.claim.FamilyClaims;
import org.imagemanager.cloud.Clouds;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.FailureReason;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.ImportCompleted;
import org.imagemanager.event.ImportFailed;
import org.imagemanager.event.ImportImage;
import org.imagemanager.event.ImportProgress;
import org.imagemanager.event.ImportStarted;
import org.imagemanager.event.LeftAlone;
import org.imagemanager.glance.Glance;
import org.imagemanager.glance.GlanceException;
import org.imagemanager.glance.GlanceImports;
import org.imagemanager.glance.NewImage;
import org.imagemanager.importer.mirror.MirrorObject;
import org.imagemanager.importer.mirror.MirrorUpload;
import org.imagemanager.importer.mirror.MirroringInputStream;
import org.imagemanager.importer.mirror.S3Mirror;
import org.imagemanager.importer.stream.CorruptCompressedStreamException;
import org.imagemanager.importer.stream.Decompression;
import org.imagemanager.importer.stream.ResumableSource;
import org.imagemanager.importer.stream.SourceHttpStatusException;
import org.imagemanager.importer.stream.SourceRestartRequiredException;
import org.imagemanager.importer.stream.UnusableArchiveException;
import org.imagemanager.kafka.EventPublisher;
import org.imagemanager.observability.Metrics;
import org.imagemanager.plan.ImageProperties;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.source.ChecksumFiles;
import org.imagemanager.source.SourceFetcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Carries out one {@link ImportImage}: source → digest check (while streaming) → Glance, in one pass, with a
 * bounded buffer, by the configured way into Glance (plain upload, glance-direct, web-download). Every state of the
 * image is watched with deadlines; a failed attempt leaves nothing behind and retryable failures are tried again
 * with exponential backoff, up to a limit.
 *
 * <p>Idempotent: the action id is written onto the image, so a replayed action finds the finished image (and
 * reports it) or the remains of a crashed attempt (and removes them before trying again).
 */
@Singleton
public class ImportService {
    private static final Logger LOG = LoggerFactory.getLogger(ImportService.class);
    private static final int BUFFER = 1 << 20;

    private final Clouds clouds;
    private final EventPublisher publisher;
    private final ImportSettings settings;
    private final Clock clock;
    private final ImportWatch.Sleeper sleeper;
    private final S3Mirror mirror;
    private final Metrics metrics;
    private final FamilyClaims claims;

    @jakarta.inject.Inject
    public ImportService(Clouds clouds, EventPublisher publisher, ImportSettings settings,
                         @Nullable S3Mirror mirror, Metrics metrics, FamilyClaims claims) {
        this(clouds, publisher, settings, mirror, metrics, claims, Clock.systemUTC(), duration -> Thread.sleep(duration));
    }

    /** Outside a pipeline (tests): the claims of this process. */
    public ImportService(Clouds clouds, EventPublisher publisher, ImportSettings settings,
                         S3Mirror mirror, Metrics metrics) {
        this(clouds, publisher, settings, mirror, metrics, FamilyClaims.ofThisProcess());
    }

    /** Outside a service (tests, benchmarks): no mirror, metrics nobody scrapes, the claims of this process. */
    public ImportService(Clouds clouds, EventPublisher publisher, ImportSettings settings) {
        this(clouds, publisher, settings, null, Metrics.detached(), FamilyClaims.ofThisProcess());
    }

    ImportService(Clouds clouds, EventPublisher publisher, ImportSettings settings,
                  S3Mirror mirror, Metrics metrics, FamilyClaims claims, Clock clock, ImportWatch.Sleeper sleeper) {
        this.claims = claims;
        this.mirror = mirror;
        this.metrics = metrics;
        this.clouds = clouds;
        this.publisher = publisher;
        this.settings = settings;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    public ImageEvent importImage(ImportImage action) {
        ImageEvent outcome = run(action);
        publisher.publish(outcome);
        return outcome;
    }

    /**
     * Under the family's claim in the cloud: another run (another pipeline) that holds it is left to finish the
     * family, and this import is reported as {@link LeftAlone}. Only the holder creates images, so two runs never
     * both import a build, and the name check before the create cannot be raced by another process.
     */
    private ImageEvent run(ImportImage action) {
        Glance glance;
        FamilyClaims.Hold hold;
        try {
            glance = clouds.glance(action.cloud());
            hold = claims.hold(glance, action.family());
        } catch (FamilyClaims.HeldElsewhere e) {
            return leftAlone(action, e);
        } catch (RuntimeException e) {
            return failed(action, Metrics.NO_METHOD, ImportFailure.of(FailureReason.CLOUD_UNAVAILABLE, String.valueOf(e.getMessage())));
        }
        try (hold) {
            return runHolding(action, glance, hold);
        } catch (FamilyClaims.HeldElsewhere e) {
            return leftAlone(action, e);
        }
    }

    private LeftAlone leftAlone(ImportImage action, FamilyClaims.HeldElsewhere e) {
        LOG.info("cloud={} image={}@{}: left alone: {}", action.cloud(), action.family(), action.version(), e.getMessage());
        metrics.leftAlone(action.cloud(), "importer");
        return new LeftAlone(EventJson.newEventId(), clock.instant(), action.cloud(), action.family(), action.actionId(),
                action.describe(), e.holder(), e.until());
    }

    private ImageEvent runHolding(ImportImage action, Glance glance, FamilyClaims.Hold hold) throws FamilyClaims.HeldElsewhere {
        String log = "cloud=" + action.cloud() + " image=" + action.family() + "@" + action.version();
        try {
            Optional<ImportCompleted> done = reuseOrClean(glance, action, log);
            if (done.isPresent()) {
                return done.get();
            }
            List<ObservedImage> sameName = glance.nameHolders(action.imageName());
            if (!sameName.isEmpty()) {
                return failed(action, Metrics.NO_METHOD, new ImportFailure(FailureReason.NAME_TAKEN, null, sameName.getFirst().id(),
                        "an image named '" + action.imageName() + "' already exists (" + sameName.getFirst().id() + ")", false));
            }
        } catch (RuntimeException e) {
            return failed(action, Metrics.NO_METHOD, ImportFailure.of(FailureReason.CLOUD_UNAVAILABLE, String.valueOf(e.getMessage())));
        }

        String method = method(glance, action);
        Instant begun = clock.instant();
        metrics.importStarted(action.cloud(), method);
        Duration backoff = settings.backoff;
        for (int attempt = 1; ; attempt++) {
            Instant started = clock.instant();
            Attempt current = new Attempt(action, glance, hold, method, attempt, started, log);
            try {
                ImportCompleted completed = current.run();
                // under the method the import started with, so that started = completed + failed + running holds
                metrics.importCompleted(action.cloud(), method, completed.bytes(), Duration.between(begun, clock.instant()));
                return completed;
            } catch (FamilyClaims.HeldElsewhere lost) {
                current.removeImage(); // another run holds the family now: it imports this build, we leave nothing
                throw lost;
            } catch (ImportFailure failure) {
                current.removeImage();
                if (!failure.retryable || attempt >= settings.attempts) {
                    return failed(action, method, failure);
                }
                LOG.warn("{}: attempt {} failed ({}: {}); trying again in {}", log, attempt, failure.reason,
                        failure.getMessage(), backoff);
                try {
                    sleeper.sleep(backoff);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return failed(action, method, failure);
                }
                backoff = backoff.multipliedBy(2).compareTo(settings.maxBackoff) > 0 ? settings.maxBackoff : backoff.multipliedBy(2);
            }
        }
    }

    /** A finished image of this import is reported; remains of crashed attempts are removed. */
    private Optional<ImportCompleted> reuseOrClean(Glance glance, ImportImage action, String log) {
        // Our own earlier attempts: the same import (same id), or a dead image of the same version
        // (e.g. killed while the definition named another URL) that would otherwise hold the name.
        List<ObservedImage> earlier = glance.listImages(action.tags().getFirst()).stream()
                .filter(image -> action.actionId().equals(image.property(ImageProperties.IMPORT_ID))
                        || (!image.usable() && action.family().equals(image.property(ImageProperties.FAMILY))
                        && action.imageName().equals(image.name())))
                .toList();
        Optional<ObservedImage> done = earlier.stream().filter(ImageProperties::verifiedAndUsable).findFirst();
        if (done.isPresent()) {
            LOG.info("{}: already imported as {} ({}), nothing to do", log, done.get().name(), done.get().id());
            return Optional.of(new ImportCompleted(EventJson.newEventId(), clock.instant(), action.cloud(), action.family(),
                    action.actionId(), action.version(), done.get().id(), done.get().name(), action.checksum(), 0, true,
                    done.get().property("os_hash_value"), null, null, 0));
        }
        for (ObservedImage leftover : earlier.stream().filter(image -> !ImageProperties.verifiedAndUsable(image)).toList()) {
            LOG.warn("{}: removing leftover {} ({}) of an interrupted import", log, leftover.id(), leftover.status());
            try {
                glance.delete(leftover.id());
            } catch (GlanceException e) {
                // the plan's clean-up may remove the same leftover at the same moment (Glance answers 400 to the
                // second delete of an image it is deleting): gone is gone
                if (glance.get(leftover.id()).filter(image -> !"deleted".equals(image.status())).isPresent()) {
                    throw e;
                }
            }
        }
        return Optional.empty();
    }

    /** The way into Glance for this cloud: as configured, where the cloud offers it; else the plain upload. */
    private String method(Glance glance, ImportImage action) {
        String wanted = settings.method == null ? "upload" : settings.method;
        if (wanted.equals("upload")) {
            return wanted;
        }
        List<String> offered = glance.imports().methods();
        if (wanted.equals("auto")) {
            return offered.contains(GlanceImports.GLANCE_DIRECT) ? GlanceImports.GLANCE_DIRECT : "upload";
        }
        if (wanted.equals(GlanceImports.WEB_DOWNLOAD) && action.url().startsWith("file:")) {
            return offered.contains(GlanceImports.GLANCE_DIRECT) ? GlanceImports.GLANCE_DIRECT : "upload";
        }
        if (!offered.contains(wanted)) {
            LOG.warn("cloud={}: import method {} not offered (offered: {}); using the plain upload", action.cloud(), wanted, offered);
            return "upload";
        }
        return wanted;
    }

    /** One attempt: create the image, get the bytes in, watch it become active, verify. */
    private final class Attempt {
        private final ImportImage action;
        private final Glance glance;
        private final FamilyClaims.Hold hold;
        private final String method;
        private final int number;
        private final Instant started;
        private final String log;
        private String imageId;

        Attempt(ImportImage action, Glance glance, FamilyClaims.Hold hold, String method, int number, Instant started, String log) {
            this.action = action;
            this.glance = glance;
            this.hold = hold;
            this.method = method;
            this.number = number;
            this.started = started;
            this.log = log;
        }

        ImportCompleted run() throws ImportFailure, FamilyClaims.HeldElsewhere {
            ExpectedDigest expected = expectedDigest();
            String mirrorKey = mirror == null ? null
                    : mirror.keyFor(action.family(), action.version(), ChecksumFiles.fileNameOf(action.url()));
            Source source = openSource(expected, mirrorKey);
            Progress progress = new Progress(action, source.totalBytes);
            // source → digest of what upstream published (the compressed bytes) → decompression → sha512 of what
            // Glance gets → mirror copy → Glance, in one pass with bounded buffers
            // a mirror object holds the image as Glance gets it (decompressed): it is checked against its own sha512
            ExpectedDigest check = source.fromMirror ? new ExpectedDigest("sha512", source.mirroredSha512) : expected;
            VerifyingInputStream verifying = new VerifyingInputStream(new BufferedInputStream(
                    new IdleTimeoutInputStream(source.stream, settings.sourceIdleTimeout, settings.sourceMinimumRate), BUFFER),
                    check, progress::report, false);
            Decompression image;
            try {
                image = Decompression.open(verifying, source.fromMirror ? "mirrored.img" : action.url());
            } catch (IOException e) {
                closeQuietly(verifying);
                // the format is sniffed from the first bytes: a source that stalls right there is stalled, not unusable
                Optional<ImportFailure> stalled = stalled(source, e, "");
                if (stalled.isPresent()) {
                    throw stalled.get();
                }
                throw new ImportFailure(FailureReason.SOURCE_UNUSABLE, null, null, "cannot read " + action.url() + ": " + e.getMessage(), false);
            }
            String method = image.format().compressed() && this.method.equals(GlanceImports.WEB_DOWNLOAD)
                    ? "upload" : this.method; // Glance would store the compressed file as it is
            publisher.publish(new ImportStarted(EventJson.newEventId(), clock.instant(), action.cloud(), action.family(),
                    action.actionId(), action.version(), action.imageName(), method, source.url, number));
            VerifyingInputStream sent = new VerifyingInputStream(image, null);
            // the same pass writes the bytes to the mirror (not when they come from it); kept only once verified
            MirrorUpload upload = mirror != null && !source.fromMirror && !method.equals(GlanceImports.WEB_DOWNLOAD)
                    ? mirror.begin(mirrorKey) : null;
            MirroringInputStream mirroring = upload == null ? null : new MirroringInputStream(sent, upload);
            try (InputStream in = mirroring != null ? mirroring : sent) {
                // the action id on the image is what makes a replay find this attempt again
                java.util.Map<String, String> properties = new java.util.HashMap<>(action.properties());
                properties.put(ImageProperties.IMPORT_ID, action.actionId());
                properties.put(ImageProperties.PENDING, "true");
                hold.confirm();
                imageId = glance.create(new NewImage(action.fixedId(), action.imageName(), action.diskFormat(),
                        action.minDisk(), action.minRam(), properties, action.tags()));
                LOG.info("{}: created {} as {}, {} from {}", log, action.imageName(), imageId, method, source.url);
                switch (method) {
                    case GlanceImports.GLANCE_DIRECT -> {
                        glance.imports().stage(imageId, in);
                        requireComplete(sent);
                        glance.imports().importStaged(imageId);
                    }
                    case GlanceImports.WEB_DOWNLOAD -> {
                        glance.imports().webDownload(imageId, source.url);
                        // Glance downloads by itself; we read the same source to know its digest
                        in.transferTo(OutputStream.nullOutputStream());
                        requireComplete(sent);
                    }
                    default -> {
                        glance.upload(imageId, in);
                        requireComplete(sent);
                    }
                }
            } catch (IOException | GlanceException e) {
                abortQuietly(upload);
                if (verifying.mismatch()) {
                    // e.g. a Content-Length shorter than the file: the digest of what was read says so
                    throw new ImportFailure(FailureReason.CHECKSUM_MISMATCH, check.toString(), verifying.actual(),
                            "checksum mismatch: expected " + check + ", got " + verifying.actual() + " for the "
                                    + verifying.bytes() + " bytes read from " + source.url, false);
                }
                // a retryable source fault on the last attempt says so; before, the loop tries again
                String givenUp = number >= settings.attempts
                        ? ": given up after " + number + (number == 1 ? " attempt" : " attempts") : null;
                // the upload's HTTP client wraps what the source threw: look at the causes
                Optional<ImportFailure> stalled = stalled(source, e, givenUp != null ? givenUp : "");
                if (stalled.isPresent()) {
                    throw stalled.get();
                }
                Optional<SourceRestartRequiredException> restart = causeOf(e, SourceRestartRequiredException.class);
                if (restart.isPresent()) {
                    String why = switch (restart.get().reason()) {
                        case NO_RANGE_SUPPORT -> "the server does not support ranges";
                        case NO_VALIDATOR -> "the server sent no ETag or Last-Modified to resume it safely";
                        case RANGE_IGNORED -> "the server answered the range request with the whole file";
                        default -> restart.get().getMessage();
                    };
                    throw ImportFailure.of(FailureReason.SOURCE_INTERRUPTED, "GET " + source.url + ": the source ended after "
                            + restart.get().bytesDelivered() + (source.totalBytes >= 0 ? " of " + source.totalBytes : "")
                            + " bytes and cannot be resumed (" + why + ")"
                            + (givenUp != null ? givenUp : "; starting over"));
                }
                Optional<ResumableSource.ResumesExhaustedException> resumes = causeOf(e, ResumableSource.ResumesExhaustedException.class);
                if (resumes.isPresent()) {
                    throw ImportFailure.of(FailureReason.SOURCE_INTERRUPTED, "GET " + source.url + ": the source ended after "
                            + resumes.get().bytesDelivered() + (resumes.get().totalSize() >= 0 ? " of " + resumes.get().totalSize() : "")
                            + " bytes and could not be resumed (last: " + resumes.get().getCause().getMessage() + ")"
                            + (givenUp != null ? givenUp : "; starting over"));
                }
                Optional<SourceHttpStatusException> resumeStatus = causeOf(e, SourceHttpStatusException.class);
                if (resumeStatus.isPresent()) { // a resume request answered e.g. 404 or 403
                    throw new ImportFailure(FailureReason.SOURCE_HTTP_STATUS, null, String.valueOf(resumeStatus.get().status()),
                            "GET " + source.url + ": the source broke off, and " + resumeStatus.get().getMessage()
                                    + (givenUp != null && resumeStatus.get().status() >= 500 ? givenUp : ""),
                            resumeStatus.get().status() >= 500);
                }
                Optional<IOException> unusable = causeOf(e, CorruptCompressedStreamException.class).map(IOException.class::cast)
                        .or(() -> causeOf(e, UnusableArchiveException.class));
                if (unusable.isPresent()) {
                    throw new ImportFailure(FailureReason.SOURCE_UNUSABLE, null, null, unusable.get().getMessage(), false);
                }
                FailureReason reason = e instanceof GlanceException ? FailureReason.GLANCE_REJECTED : FailureReason.SOURCE_UNREACHABLE;
                throw ImportFailure.of(reason, String.valueOf(e.getMessage()));
            }
            ObservedImage active;
            try {
                active = new ImportWatch(clock, sleeper).awaitActive(glance, imageId, settings, started);
            } catch (ImportFailure failure) {
                abortQuietly(upload);
                throw failure;
            }
            String stored = active.property("os_hash_value");
            boolean converted = active.diskFormat() != null && !active.diskFormat().equals(action.diskFormat());
            // Glance's own sha512 must be of the bytes we sent; after a conversion it is of the converted bytes
            if (stored != null && !converted && !method.equals(GlanceImports.WEB_DOWNLOAD) && !stored.equals(sent.sha512())) {
                abortQuietly(upload);
                throw new ImportFailure(FailureReason.HASH_MISMATCH_AFTER_UPLOAD, "sha512:" + sent.sha512(),
                        "sha512:" + stored, "Glance stored other bytes than the verified source", false);
            }
            hold.confirm(); // a claim lost meanwhile: this image is removed (by run()), the new holder imports
            try {
                glance.removeProperties(imageId, List.of(ImageProperties.PENDING)); // verified: now it counts as done
            } catch (RuntimeException e) {
                abortQuietly(upload);
                throw ImportFailure.of(FailureReason.GLANCE_REJECTED, "cannot mark image " + imageId + " as verified: " + e.getMessage());
            }
            completeMirror(upload, mirroring, verifying, sent, image, source);
            long millis = Duration.between(started, clock.instant()).toMillis();
            LOG.info("{}: imported {} ({} bytes, {}, {}, {} ms, {})", log, imageId, sent.bytes(), verifying.actual(),
                    image.format().label(), millis, method);
            return new ImportCompleted(EventJson.newEventId(), clock.instant(), action.cloud(), action.family(),
                    action.actionId(), action.version(), imageId, action.imageName(),
                    source.fromMirror ? String.valueOf(expected) : verifying.actual(),
                    sent.bytes(), false, stored != null ? stored : sent.sha512(), method, source.url, millis);
        }

        /**
         * A source that stalled (anywhere in the causes of {@code e}), as its failure; retryable: a new connection
         * (another mirror node, an unclogged route) is often fast again.
         */
        private Optional<ImportFailure> stalled(Source source, Throwable e, String suffix) {
            return causeOf(e, IdleTimeoutInputStream.SourceStalledException.class).map(stall -> new ImportFailure(
                    FailureReason.SOURCE_STALLED, null, null, "GET " + source.url + ": " + stall.getMessage() + suffix, true));
        }

        void removeImage() {
            if (imageId == null) {
                return;
            }
            try {
                glance.delete(imageId);
            } catch (RuntimeException e) {
                LOG.error("{}: could not remove half-made image {}; the next attempt removes it: {}", log, imageId, e.getMessage());
            }
        }

        private void closeQuietly(InputStream in) {
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing was read yet
            }
        }

        private void requireComplete(VerifyingInputStream verifying) throws IOException {
            if (!verifying.complete()) {
                throw new IOException("the transfer ended before the end of the source");
            }
        }

        private ExpectedDigest expectedDigest() throws ImportFailure {
            try {
                String checksum = expectedChecksum(action);
                return checksum == null ? null : ExpectedDigest.parse(checksum);
            } catch (SourceFetcher.SourceException e) {
                throw ImportFailure.of(e.reason(), e.getMessage());
            }
        }

        /**
         * Where the bytes come from: a verified object in our S3 mirror (one download from upstream feeds many
         * clouds), else the definition's mirror_url, else (or when the mirror fails) the upstream URL.
         */
        private Source openSource(ExpectedDigest expected, String mirrorKey) throws ImportFailure {
            if (mirror != null && expected != null) {
                try {
                    Optional<MirrorObject> verified = mirror.findVerifiedSource(mirrorKey, expected.algorithm(), expected.hex());
                    if (verified.isPresent()) {
                        return new Source("s3://" + mirror.config().bucket() + "/" + mirrorKey, mirror.open(mirrorKey),
                                verified.get().size(), true, verified.get().digest("sha512").orElseThrow());
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("{}: S3 mirror not readable, reading the source: {}", log, e.toString());
                }
            }
            if (action.mirrorUrl() != null) {
                try {
                    return openUrl(action.mirrorUrl());
                } catch (ImportFailure e) {
                    LOG.warn("{}: mirror failed, falling back to {}: {}", log, action.url(), e.getMessage());
                }
            }
            return openUrl(action.url());
        }

        /** http(s) sources resume a dropped connection with a Range request; file: sources are read directly. */
        private Source openUrl(String url) throws ImportFailure {
            URI uri = URI.create(url.trim());
            try {
                if ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) {
                    ResumableSource source = ResumableSource.open(sources().http(), uri, ResumableSource.Settings.defaults()
                            .withRequestTimeout(settings.sourceIdleTimeout));
                    return new Source(url, source, source.totalSize().orElse(-1), false);
                }
                return new Source(url, sources().open(url, settings.sourceIdleTimeout), -1, false);
            } catch (SourceHttpStatusException e) {
                // 5xx is retried; on the last attempt at the last URL to try, the message says it was given up
                boolean last = e.status() >= 500 && number >= settings.attempts && url.equals(action.url());
                throw new ImportFailure(FailureReason.SOURCE_HTTP_STATUS, null, String.valueOf(e.status()),
                        "GET " + url + " answered HTTP " + e.status()
                                + (last ? ": given up after " + number + (number == 1 ? " attempt" : " attempts") : ""),
                        e.status() >= 500);
            } catch (javax.net.ssl.SSLException e) {
                throw ImportFailure.of(FailureReason.SOURCE_UNREACHABLE, sources().untrusted(uri, e));
            } catch (IOException e) {
                throw ImportFailure.of(FailureReason.SOURCE_UNREACHABLE, "cannot open " + url + ": " + e);
            } catch (SourceFetcher.SourceException e) {
                throw ImportFailure.of(e.reason(), e.getMessage());
            }
        }

        /** Sources of this import are fetched with the TLS settings of the cloud it goes to. */
        private SourceFetcher sources() {
            return clouds.sources(action.cloud());
        }

        /** The mirror object becomes visible only now: every byte reached it and the digests matched. */
        private void completeMirror(MirrorUpload upload, MirroringInputStream mirroring, VerifyingInputStream verifying,
                                    VerifyingInputStream sent, Decompression image, Source source) {
            if (upload == null) {
                return;
            }
            if (!mirroring.mirrorIntact()) {
                LOG.warn("{}: mirror copy incomplete ({}), not kept", log, mirroring.mirrorFailure().map(Exception::getMessage).orElse("?"));
                abortQuietly(upload);
                return;
            }
            java.util.Map<String, String> metadata = new java.util.HashMap<>();
            metadata.put("sha512", sent.sha512());
            if (!image.format().compressed() && verifying.actual() != null && verifying.actual().startsWith("sha256:")) {
                metadata.put("sha256", verifying.actual().substring(7));
            }
            // found again by the digest the definition names for the published file, compressed or not
            if (verifying.actual() != null) {
                String[] published = verifying.actual().split(":", 2);
                metadata.put("source-" + published[0], published[1]);
            }
            metadata.put("source-url", source.url);
            try {
                upload.complete(metadata);
            } catch (IOException | RuntimeException e) {
                LOG.warn("{}: mirror copy not kept: {}", log, e.toString());
                abortQuietly(upload);
            }
        }

        private void abortQuietly(MirrorUpload upload) {
            if (upload != null) {
                try {
                    upload.abort();
                } catch (IOException | RuntimeException e) {
                    LOG.debug("{}: aborting the mirror upload: {}", log, e.toString());
                }
            }
        }
    }

    private static <T extends Throwable> Optional<T> causeOf(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return Optional.of(type.cast(t));
            }
        }
        return Optional.empty();
    }

    /** @param mirroredSha512 for a mirror object: the sha512 of the (already decompressed) image it holds */
    private record Source(String url, InputStream stream, long totalBytes, boolean fromMirror, String mirroredSha512) {
        Source(String url, InputStream stream, long totalBytes, boolean fromMirror) {
            this(url, stream, totalBytes, fromMirror, null);
        }
    }

    /** Publishes {@link ImportProgress} at most once per interval (fire and forget: progress is not a promise). */
    private final class Progress {
        private final ImportImage action;
        private final long total;
        private final Instant started = clock.instant();
        private Instant last = clock.instant();

        Progress(ImportImage action, long total) {
            this.action = action;
            this.total = total;
        }

        void report(long bytes) {
            Instant now = clock.instant();
            if (Duration.between(last, now).compareTo(settings.progressInterval) < 0) {
                return;
            }
            last = now;
            long seconds = Math.max(1, Duration.between(started, now).toSeconds());
            long rate = bytes / seconds;
            long eta = total > 0 && rate > 0 ? (total - bytes) / rate : -1;
            publisher.publishQuietly(new ImportProgress(EventJson.newEventId(), now, action.cloud(), action.family(),
                    action.actionId(), action.imageName(), bytes, total, rate, eta));
        }
    }

    /** The digest to verify: the definition's, or the one published at checksum_url / checksums_url. */
    private String expectedChecksum(ImportImage action) throws SourceFetcher.SourceException {
        if (action.checksum() != null) {
            return action.checksum();
        }
        if (action.checksumUrl() == null && action.checksumsUrl() == null) {
            return null;
        }
        return clouds.sources(action.cloud()).publishedDigest(action.checksumUrl(), action.checksumsUrl(), action.url())
                .orElseThrow(() -> new SourceFetcher.SourceException(FailureReason.CHECKSUM_MISMATCH, action.checksumUrl() != null
                        ? "no digest found in " + action.checksumUrl()
                        : "no line for " + ChecksumFiles.fileNameOf(action.url()) + " in " + action.checksumsUrl()));
    }

    private ImportFailed failed(ImportImage action, String method, ImportFailure failure) {
        metrics.importFailed(action.cloud(), method, failure.reason);
        LOG.warn("cloud={} image={}@{}: import failed ({}): {}", action.cloud(), action.family(), action.version(),
                failure.reason, failure.getMessage());
        return new ImportFailed(EventJson.newEventId(), clock.instant(), action.cloud(), action.family(),
                action.actionId(), action.version(), action.imageName(), failure.reason, failure.expected, failure.actual,
                failure.getMessage());
    }
}

package org.imagemanager.importer;

import io.micronaut.context.annotation.ConfigurationProperties;

import java.time.Duration;

/** {@code image-manager.importer.*}: how images get into Glance and how long each phase may take. */
@ConfigurationProperties("image-manager.importer")
public class ImportSettings {
    /**
     * {@code upload} (plain {@code PUT /file}: works where the import API is forbidden; the default),
     * {@code glance-direct} (stage, then import: lets Glance convert, e.g. qcow2 → raw), {@code web-download}
     * (Glance pulls the source itself; we verify what it stored), or {@code auto} (glance-direct where the cloud
     * offers it, else upload). A method the cloud does not offer falls back to upload.
     */
    public String method = "upload";
    /** Attempts per import for retryable failures (stuck, killed, source dropped), with exponential backoff. */
    public int attempts = 3;
    public Duration backoff = Duration.ofSeconds(2);
    public Duration maxBackoff = Duration.ofMinutes(1);
    /** How long an image may stay queued after its data was sent or its import started. */
    public Duration queuedTimeout = Duration.ofMinutes(5);
    /** How long one attempt may take in all. */
    public Duration attemptTimeout = Duration.ofHours(1);
    /**
     * The window of the stall check: a source that, over this much time spent waiting for it, sends fewer than
     * {@link #sourceMinimumRate} × this many seconds bytes (or nothing at all) is given up as stalled (and the
     * attempt retried).
     */
    public Duration sourceIdleTimeout = Duration.ofMinutes(2);
    /**
     * The slowest acceptable source, in bytes per second, averaged over {@link #sourceIdleTimeout} (like curl's
     * {@code --speed-limit} with {@code --speed-time}); 0 gives up only a source that sends nothing at all.
     */
    public long sourceMinimumRate = 1024;
    /** How often Glance is asked while waiting. */
    public Duration pollInterval = Duration.ofSeconds(1);
    /** At most one progress event per interval. */
    public Duration progressInterval = Duration.ofSeconds(5);
}

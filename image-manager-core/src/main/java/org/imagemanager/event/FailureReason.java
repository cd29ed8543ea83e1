package org.imagemanager.event;

/** Machine-readable reason of a failed step. */
public enum FailureReason {
    CHECKSUM_MISMATCH,
    SOURCE_UNREACHABLE,
    SOURCE_HTTP_STATUS,
    GLANCE_REJECTED,
    /** Another image already carries the name the new image would get; we never make a second one. */
    NAME_TAKEN,
    HASH_MISMATCH_AFTER_UPLOAD,
    /** The image stayed too long in one state (e.g. queued) and was removed. */
    GLANCE_STUCK,
    /** The whole import took longer than allowed. */
    TIMEOUT,
    /**
     * The source ended before its end (a dropped connection, a body shorter than its Content-Length) and could not be
     * resumed: no range support or validator, or the resume attempts ran out. The import starts over.
     */
    SOURCE_INTERRUPTED,
    /**
     * The source stalled: over a whole idle-timeout window it sent fewer bytes than the configured minimum rate asks
     * for (nothing at all being the extreme case), so the download was given up rather than left to hang.
     */
    SOURCE_STALLED,
    /** The source is not a usable image: a corrupt compressed file, or an archive without exactly one disk image. */
    SOURCE_UNUSABLE,
    CLOUD_UNAVAILABLE,
    UNEXPECTED
}

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
    /** The source dropped the connection and cannot resume (no range support): the import starts over. */
    SOURCE_INTERRUPTED,
    /** The source is not a usable image: a corrupt compressed file, or an archive without exactly one disk image. */
    SOURCE_UNUSABLE,
    CLOUD_UNAVAILABLE,
    UNEXPECTED
}

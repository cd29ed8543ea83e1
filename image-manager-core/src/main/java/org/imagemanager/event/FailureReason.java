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
    CLOUD_UNAVAILABLE,
    UNEXPECTED
}

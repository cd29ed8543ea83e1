package org.imagemanager.importer;

import org.imagemanager.event.FailureReason;

/** Why one import attempt failed; {@code retryable} says whether another attempt may succeed. */
final class ImportFailure extends Exception {
    final FailureReason reason;
    final String expected;
    final String actual;
    final boolean retryable;

    ImportFailure(FailureReason reason, String expected, String actual, String message, boolean retryable) {
        super(message, null, false, false);
        this.reason = reason;
        this.expected = expected;
        this.actual = actual;
        this.retryable = retryable;
    }

    static ImportFailure of(FailureReason reason, String message) {
        boolean retryable = switch (reason) {
            case SOURCE_UNREACHABLE, SOURCE_INTERRUPTED, SOURCE_STALLED, GLANCE_STUCK, GLANCE_REJECTED, TIMEOUT, CLOUD_UNAVAILABLE -> true;
            default -> false;
        };
        return new ImportFailure(reason, null, null, message, retryable);
    }
}

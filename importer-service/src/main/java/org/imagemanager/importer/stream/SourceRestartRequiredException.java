package org.imagemanager.importer.stream;

import java.io.IOException;

/**
 * The source broke off and cannot be continued where it stopped without risking a stitched file (bytes of two
 * different versions). The bytes delivered so far must be thrown away and the import started over from byte 0;
 * this is not a failure of the source itself, so callers should retry rather than report it as unreachable.
 */
public final class SourceRestartRequiredException extends IOException {
    /** Why continuing was refused. */
    public enum Reason {
        /** The server said {@code Accept-Ranges: none}. */
        NO_RANGE_SUPPORT,
        /** Neither a strong ETag nor Last-Modified came with the first answer, so a change could not be noticed. */
        NO_VALIDATOR,
        /** The Range request was answered with 200 (whole file): ranges unsupported, or If-Range saw a change. */
        RANGE_IGNORED,
        /** The server answered 412: the file is not the one we started with. */
        SOURCE_CHANGED,
        /** 416 (the file got shorter), or a 206 whose Content-Range/ETag does not continue what we read. */
        RANGE_MISMATCH
    }

    private final Reason reason;
    private final long bytesDelivered;

    public SourceRestartRequiredException(Reason reason, long bytesDelivered, String message, Throwable cause) {
        super(message + " (after " + bytesDelivered + " bytes; restart the import from the beginning)", cause);
        this.reason = reason;
        this.bytesDelivered = bytesDelivered;
    }

    public Reason reason() {
        return reason;
    }

    /** How many bytes had been handed to the reader before the source broke off; all of them must be discarded. */
    public long bytesDelivered() {
        return bytesDelivered;
    }
}

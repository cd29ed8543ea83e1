package org.imagemanager.importer.stream;

import java.io.IOException;

/**
 * The compressed or archived source could not be decoded: truncated, damaged, or not in the format its name
 * claims. Raised instead of an end of stream, so a broken download can never become a short image.
 */
public final class CorruptCompressedStreamException extends IOException {
    private final Decompression.Format format;
    private final long bytesDecompressed;

    public CorruptCompressedStreamException(Decompression.Format format, long bytesDecompressed, String detail, Throwable cause) {
        super("corrupt or truncated " + format.label() + " source after " + bytesDecompressed + " decompressed bytes: " + detail, cause);
        this.format = format;
        this.bytesDecompressed = bytesDecompressed;
    }

    public Decompression.Format format() {
        return format;
    }

    public long bytesDecompressed() {
        return bytesDecompressed;
    }
}

package org.imagemanager.importer;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Passes bytes through while computing the definition's digest (and sha512, what Glance reports as
 * {@code os_hash_value}). At the end of the stream it compares: on a mismatch it throws instead of signalling EOF,
 * so the reader (the upload) fails and never completes an image with the wrong bytes.
 */
final class VerifyingInputStream extends BulkFilterInputStream {
    private final ExpectedDigest expected;
    private final MessageDigest digest;
    private final MessageDigest sha512;
    private long bytes;
    private String actual;
    private String actualSha512;
    private boolean mismatch;
    private boolean finished;

    private final java.util.function.LongConsumer progress;

    VerifyingInputStream(InputStream in, ExpectedDigest expected) {
        this(in, expected, bytes -> { });
    }

    /** @param progress told the number of bytes read so far after every read (cheap; the consumer throttles) */
    VerifyingInputStream(InputStream in, ExpectedDigest expected, java.util.function.LongConsumer progress) {
        this(in, expected, progress, true);
    }

    /**
     * @param withSha512 also compute sha512; each digest costs CPU at line rate, so the importer computes the
     *                   definition's digest on the source and sha512 only on the bytes Glance gets
     */
    VerifyingInputStream(InputStream in, ExpectedDigest expected, java.util.function.LongConsumer progress, boolean withSha512) {
        super(in);
        this.progress = progress;
        this.expected = expected;
        this.digest = expected == null ? null : expected.newDigest();
        this.sha512 = withSha512 ? new ExpectedDigest("sha512", "").newDigest() : null;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            if (digest != null) {
                digest.update(buffer, offset, n);
            }
            if (sha512 != null) {
                sha512.update(buffer, offset, n);
            }
            bytes += n;
            progress.accept(bytes);
        } else if (n == -1) {
            finish();
        }
        return n;
    }

    @Override
    public long skip(long n) {
        return 0; // every byte must pass through the digests
    }

    private void finish() throws IOException {
        if (!finished) {
            finished = true;
            actualSha512 = sha512 == null ? null : HexFormat.of().formatHex(sha512.digest());
            actual = digest == null ? null : HexFormat.of().formatHex(digest.digest());
            mismatch = expected != null && !expected.hex().equals(actual);
        }
        if (mismatch) {
            throw new ChecksumMismatchException(expected.toString(), expected.algorithm() + ":" + actual);
        }
    }

    long bytes() {
        return bytes;
    }

    /** The definition's digest of all bytes read, once the end was reached. */
    String actual() {
        return actual == null ? null : expected.algorithm() + ":" + actual;
    }

    String sha512() {
        return actualSha512;
    }

    boolean complete() {
        return finished;
    }

    boolean mismatch() {
        return mismatch;
    }

    static final class ChecksumMismatchException extends IOException {
        final String expected;
        final String actual;

        ChecksumMismatchException(String expected, String actual) {
            super("checksum mismatch: expected " + expected + ", got " + actual);
            this.expected = expected;
            this.actual = actual;
        }
    }
}

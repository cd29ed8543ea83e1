package org.imagemanager.importer.mirror;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Passes a source through unchanged while writing every byte read into a {@link MirrorUpload}: the one streaming
 * pass that feeds Glance also feeds the mirror. The mirror never fails the read: should it fail, it is detached
 * (already aborted by then), logged, and {@link #mirrorFailure()} tells why. Completing or aborting the upload stays
 * with the caller, after the digest was checked.
 *
 * <pre>{@code
 * try (MirrorUpload upload = mirror.begin(key)) {
 *     var tee = new MirroringInputStream(source, upload);
 *     var verifying = new VerifyingInputStream(tee, expected);
 *     glance.upload(imageId, verifying);                 // reads to the end; throws on a digest mismatch
 *     if (verifying.complete() && !verifying.mismatch() && tee.mirrorIntact()) {
 *         upload.complete(Map.of("sha512", verifying.sha512(), "source-url", url, ...));
 *     }
 * }                                                       // close() aborts when not completed
 * }</pre>
 */
public final class MirroringInputStream extends FilterInputStream {
    private static final Logger LOG = LoggerFactory.getLogger(MirroringInputStream.class);

    private final MirrorUpload upload;
    private IOException failure;

    public MirroringInputStream(InputStream source, MirrorUpload upload) {
        super(source);
        this.upload = upload;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0 && failure == null) {
            try {
                upload.write(buffer, offset, n);
            } catch (IOException e) {
                failure = e;
                LOG.warn("mirroring to {} stopped, the import goes on without it: {}", upload.key(), e.toString());
            }
        }
        return n;
    }

    /** Skips nothing: every byte must reach the mirror. */
    @Override
    public long skip(long n) {
        return 0;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readLimit) {
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }

    /** True while every byte read so far reached the upload. */
    public boolean mirrorIntact() {
        return failure == null && upload.isOpen();
    }

    public Optional<IOException> mirrorFailure() {
        return Optional.ofNullable(failure);
    }
}

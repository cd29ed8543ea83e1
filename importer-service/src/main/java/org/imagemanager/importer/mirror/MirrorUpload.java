package org.imagemanager.importer.mirror;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.CompletedPart;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * One image streaming into the mirror: an {@link OutputStream} whose bytes become an S3 object only on
 * {@link #complete(Map)}, which the importer calls once the digest matched.
 *
 * <p>Memory: at most two buffers of {@code partSize} bytes, allocated on demand and reused: one being filled by
 * {@link #write}, one being uploaded as a part in the background. A writer that outruns S3 waits for the part in
 * flight. An object that fits one part is sent by a single PutObject on {@link #complete}; a larger one goes through a
 * multipart upload to a staging key, which {@link #complete} finishes and publishes under the final key with its
 * metadata (a server-side copy; S3 metadata cannot be changed after an upload began, and the digests are known only
 * at the end).
 *
 * <p>{@link #abort()}, {@link #close()} without {@link #complete}, and any failure abort the multipart upload: nothing
 * is left behind, and nothing ever appears under the final key. A failed write, {@link #complete} or part upload throws
 * {@link IOException}; the upload is then already aborted and further writes fail too. {@link #flush()} does nothing
 * (S3 takes whole parts only).
 *
 * <p>Not thread-safe: one writer.
 */
public final class MirrorUpload extends OutputStream {
    public static final String VERIFIED = "verified";
    public static final String SHA256 = "sha256";
    public static final String SHA512 = "sha512";
    public static final String SIZE = "size";
    public static final String SOURCE_URL = "source-url";

    private static final Logger LOG = LoggerFactory.getLogger(MirrorUpload.class);
    private static final int MAX_PARTS = 10_000;
    private static final int MAX_METADATA_BYTES = 2048;
    private static final Pattern METADATA_KEY = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    private static final byte[] EMPTY = new byte[0];

    private enum State { OPEN, COMPLETED, ABORTED, FAILED }

    private final S3Mirror mirror;
    private final String key;
    private final int partSize;

    private byte[] current;
    private int filled;
    private byte[] spare;
    private int buffersAllocated;

    private String stagingKey;
    private String uploadId;
    private final List<CompletedPart> parts = new ArrayList<>();
    private Future<CompletedPart> inFlight;
    private byte[] inFlightBuffer;
    private int partsStarted;

    private long size;
    private State state = State.OPEN;
    private IOException failure;

    MirrorUpload(S3Mirror mirror, String key, int partSize) {
        this.mirror = mirror;
        this.key = key;
        this.partSize = partSize;
    }

    /** The final key. */
    public String key() {
        return key;
    }

    /** Bytes written so far. */
    public long size() {
        return size;
    }

    /** True until completed, aborted or failed. */
    public boolean isOpen() {
        return state == State.OPEN;
    }

    public boolean isCompleted() {
        return state == State.COMPLETED;
    }

    /** Parts handed to S3 so far (0 while the object still fits one part). */
    public int partsStarted() {
        return partsStarted;
    }

    /** Part buffers allocated so far: never more than two. */
    int buffersAllocated() {
        return buffersAllocated;
    }

    @Override
    public void write(int b) throws IOException {
        if (state == State.OPEN && current != null && filled < partSize) {
            current[filled++] = (byte) b;
            size++;
        } else {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        ensureOpen();
        while (length > 0) {
            if (current == null) {
                current = newBuffer();
            } else if (filled == partSize) {
                sendCurrentPart(); // only once more bytes come: the last part is never empty
            }
            int n = Math.min(length, partSize - filled);
            System.arraycopy(bytes, offset, current, filled, n);
            filled += n;
            offset += n;
            length -= n;
            size += n;
        }
    }

    /** Does nothing: S3 takes whole parts only. */
    @Override
    public void flush() {
    }

    /**
     * Publishes the bytes written under {@link #key()} with {@code metadata} plus {@code verified=true} and
     * {@code size}. Call it only after the digest matched.
     *
     * @param metadata user metadata: at least {@code sha256} or {@code sha512} (hex), typically also
     *                 {@code source-url}; keys are lower-cased ({@code [a-z0-9._-]}), characters outside printable
     *                 ASCII in values are percent-encoded (UTF-8), all of it at most 2 KiB. A {@code verified} other
     *                 than {@code true} or a {@code size} other than the bytes written is refused.
     * @throws IllegalArgumentException for unusable metadata (nothing was sent; the upload stays open for
     *                                  {@link #abort()})
     * @throws IOException              when S3 failed (the upload is aborted)
     */
    public void complete(Map<String, String> metadata) throws IOException {
        ensureOpen();
        Map<String, String> stored = metadataToStore(metadata);
        try {
            if (uploadId == null) {
                mirror.putObject(key, current == null ? EMPTY : current, filled, stored);
            } else {
                awaitPartInFlight();
                parts.add(mirror.uploadPart(stagingKey, uploadId, ++partsStarted, current, filled));
                mirror.completeMultipartUpload(stagingKey, uploadId, parts);
                uploadId = null; // complete: the staging object exists now, and publish() removes it
                mirror.publish(stagingKey, key, size, stored);
            }
            state = State.COMPLETED;
            releaseBuffers();
            LOG.debug("mirrored {} bytes to {} in {} part(s)", size, mirror.location(key), Math.max(1, partsStarted));
        } catch (IOException | RuntimeException e) {
            throw fail("cannot complete " + mirror.location(key), e);
        }
    }

    /**
     * Drops everything: waits for the part in flight, aborts the multipart upload, frees the buffers. Idempotent;
     * nothing to do after a failure.
     *
     * @throws IllegalStateException after {@link #complete}
     * @throws IOException           when S3 refused to abort (a lifecycle rule for incomplete uploads cleans up)
     */
    public void abort() throws IOException {
        if (state == State.COMPLETED) {
            throw new IllegalStateException(mirror.location(key) + " was completed already");
        }
        if (state != State.OPEN) {
            return;
        }
        state = State.ABORTED;
        RuntimeException problem = cleanUp();
        if (problem != null) {
            throw new IOException("cannot abort the multipart upload for " + mirror.location(key), problem);
        }
    }

    /** Aborts unless completed (so try-with-resources never leaves a half upload behind). */
    @Override
    public void close() throws IOException {
        if (state == State.OPEN) {
            abort();
        }
    }

    private void sendCurrentPart() throws IOException {
        if (partsStarted + 1 >= MAX_PARTS) {
            throw fail(mirror.location(key) + " would need more than " + MAX_PARTS + " parts of " + partSize + " bytes", null);
        }
        try {
            if (uploadId == null) {
                stagingKey = mirror.stagingKey();
                uploadId = mirror.createMultipartUpload(stagingKey);
            }
            awaitPartInFlight();
            int partNumber = ++partsStarted;
            byte[] buffer = current;
            int length = filled;
            String upload = uploadId;
            String staging = stagingKey;
            inFlightBuffer = buffer;
            inFlight = mirror.partUploads().submit(() -> mirror.uploadPart(staging, upload, partNumber, buffer, length));
            current = spare != null ? spare : newBuffer();
            spare = null;
            filled = 0;
        } catch (IOException | RuntimeException e) {
            throw fail("cannot upload part " + partsStarted + " of " + mirror.location(key), e);
        }
    }

    private void awaitPartInFlight() throws IOException {
        if (inFlight == null) {
            return;
        }
        try {
            parts.add(inFlight.get());
            spare = inFlightBuffer;
            inFlight = null;
            inFlightBuffer = null;
        } catch (ExecutionException e) {
            inFlight = null;
            throw new IOException("part upload failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while a part was uploading");
        }
    }

    private byte[] newBuffer() {
        buffersAllocated++;
        return new byte[partSize];
    }

    private IOException fail(String message, Exception cause) {
        if (cause instanceof IOException io && state == State.FAILED) {
            return io;
        }
        state = State.FAILED;
        failure = new IOException(cause == null ? message : message + ": " + cause.getMessage(), cause);
        RuntimeException cleanup = cleanUp();
        if (cleanup != null) {
            failure.addSuppressed(cleanup);
        }
        return failure;
    }

    /** Lets the part in flight end, aborts the multipart upload; returns what went wrong, if anything. */
    private RuntimeException cleanUp() {
        RuntimeException problem = null;
        if (inFlight != null) {
            try {
                inFlight.get(2, TimeUnit.MINUTES);
            } catch (ExecutionException ignored) {
                // the upload is being aborted anyway
            } catch (TimeoutException e) {
                inFlight.cancel(true);
            } catch (InterruptedException e) {
                inFlight.cancel(true);
                Thread.currentThread().interrupt();
            }
            inFlight = null;
        }
        if (uploadId != null) {
            try {
                mirror.abortMultipartUpload(stagingKey, uploadId);
                uploadId = null;
            } catch (RuntimeException e) {
                LOG.warn("cannot abort multipart upload {} of {}: {}", uploadId, mirror.location(stagingKey), e.toString());
                problem = e;
            }
        }
        releaseBuffers();
        return problem;
    }

    private void releaseBuffers() {
        current = null;
        spare = null;
        inFlightBuffer = null;
        filled = 0;
    }

    private void ensureOpen() throws IOException {
        switch (state) {
            case OPEN -> {
            }
            case FAILED -> throw new IOException("mirror upload to " + mirror.location(key) + " failed earlier", failure);
            case ABORTED -> throw new IOException("mirror upload to " + mirror.location(key) + " was aborted");
            case COMPLETED -> throw new IOException("mirror upload to " + mirror.location(key) + " was completed already");
        }
    }

    private Map<String, String> metadataToStore(Map<String, String> metadata) {
        Map<String, String> stored = new TreeMap<>();
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            String name = Objects.requireNonNull(entry.getKey(), "metadata key").trim().toLowerCase(Locale.ROOT);
            if (!METADATA_KEY.matcher(name).matches()) {
                throw new IllegalArgumentException("metadata key '" + entry.getKey() + "' is not [a-z0-9._-]");
            }
            String value = Objects.requireNonNull(entry.getValue(), () -> "metadata value of " + name);
            stored.put(name, printableAscii(value));
        }
        for (String digest : List.of(SHA256, SHA512)) {
            String hex = stored.get(digest);
            if (hex != null) {
                hex = hex.trim().toLowerCase(Locale.ROOT);
                if (hex.length() != (digest.equals(SHA256) ? 64 : 128)
                        || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                    throw new IllegalArgumentException("metadata " + digest + " is not a hex digest: '" + hex + "'");
                }
                stored.put(digest, hex);
            }
        }
        if (!stored.containsKey(SHA256) && !stored.containsKey(SHA512)) {
            throw new IllegalArgumentException("a verified image needs sha256 or sha512 in its metadata");
        }
        String verified = stored.put(VERIFIED, "true");
        if (verified != null && !verified.equalsIgnoreCase("true")) {
            throw new IllegalArgumentException("complete() publishes verified images only, found verified=" + verified);
        }
        String recordedSize = stored.put(SIZE, Long.toString(size));
        if (recordedSize != null && !recordedSize.trim().equals(Long.toString(size))) {
            throw new IllegalArgumentException("metadata size=" + recordedSize + " but " + size + " bytes were written");
        }
        int bytes = stored.entrySet().stream().mapToInt(e -> e.getKey().length() + e.getValue().length()).sum();
        if (bytes > MAX_METADATA_BYTES) {
            throw new IllegalArgumentException("metadata takes " + bytes + " bytes, S3 allows " + MAX_METADATA_BYTES);
        }
        return stored;
    }

    private static String printableAscii(String value) {
        if (value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return value;
        }
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            if (b >= 0x20 && b < 0x7f) {
                out.append((char) b);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}

package org.imagemanager.importer.mirror;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Pseudo-random bytes made on the fly: the byte at each position depends on the seed and the position only, so any
 * stretch can be produced again for comparison without ever holding the whole object.
 */
final class GeneratedBytes {
    private final long seed;
    private final long size;

    GeneratedBytes(long seed, long size) {
        this.seed = seed;
        this.size = size;
    }

    long size() {
        return size;
    }

    void fill(long position, byte[] buffer, int offset, int length) {
        long word = 0;
        long wordIndex = -1;
        for (int i = 0; i < length; i++) {
            long p = position + i;
            if (p >>> 3 != wordIndex) {
                wordIndex = p >>> 3;
                word = mix(seed ^ (wordIndex * 0x9E3779B97F4A7C15L));
            }
            buffer[offset + i] = (byte) (word >>> ((p & 7) * 8));
        }
    }

    /** Writes everything in chunks of uneven sizes (so writes straddle part boundaries); returns the sha256 and sha512. */
    Digests writeTo(OutputStream out) throws IOException {
        MessageDigest sha256 = digest("SHA-256");
        MessageDigest sha512 = digest("SHA-512");
        byte[] chunk = new byte[(1 << 20) + 13];
        int[] sizes = {chunk.length, 4096, 1, 700_001, 65_536};
        long position = 0;
        for (int i = 0; position < size; i++) {
            int n = (int) Math.min(sizes[i % sizes.length], size - position);
            fill(position, chunk, 0, n);
            if (n == 1) {
                out.write(chunk[0]);
            } else {
                out.write(chunk, 0, n);
            }
            sha256.update(chunk, 0, n);
            sha512.update(chunk, 0, n);
            position += n;
        }
        return new Digests(HexFormat.of().formatHex(sha256.digest()), HexFormat.of().formatHex(sha512.digest()));
    }

    /** Reads {@code in} to its end and checks it is byte for byte this object's content from {@code from} on. */
    void assertSameFrom(long from, InputStream in) throws IOException {
        byte[] actual = new byte[1 << 20];
        byte[] expected = new byte[1 << 20];
        long position = from;
        while (true) {
            int n = in.readNBytes(actual, 0, actual.length);
            if (n == 0) {
                break;
            }
            if (position + n > size) {
                throw new AssertionError("more than " + size + " bytes: got " + (position + n));
            }
            fill(position, expected, 0, n);
            int mismatch = Arrays.mismatch(actual, 0, n, expected, 0, n);
            if (mismatch >= 0) {
                throw new AssertionError("bytes differ at offset " + (position + mismatch));
            }
            position += n;
        }
        if (position != size) {
            throw new AssertionError("stream ended at " + position + " of " + size + " bytes");
        }
    }

    /** The same bytes as an input stream (for the tee). */
    InputStream newInputStream() {
        return new InputStream() {
            long position;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (position >= size) {
                    return -1;
                }
                int n = (int) Math.min(length, size - position);
                fill(position, buffer, offset, n);
                position += n;
                return n;
            }
        };
    }

    record Digests(String sha256, String sha512) {
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

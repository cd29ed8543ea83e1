package org.imagemanager.importer;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VerifyingInputStreamTest {
    private final byte[] data = new byte[3 * 1024 * 1024 + 17];

    VerifyingInputStreamTest() {
        new Random(42).nextBytes(data);
    }

    @Test
    void shouldPassAllBytesAndReportDigestsWhenTheChecksumMatches() throws Exception {
        ExpectedDigest expected = new ExpectedDigest("sha256", hex("SHA-256", data));
        VerifyingInputStream in = new VerifyingInputStream(new ByteArrayInputStream(data), expected);

        long copied = in.transferTo(OutputStream.nullOutputStream());

        assertEquals(data.length, copied);
        assertTrue(in.complete());
        assertFalse(in.mismatch());
        assertEquals("sha256:" + expected.hex(), in.actual());
        assertEquals(hex("SHA-512", data), in.sha512());
    }

    @Test
    void shouldFailAtTheEndInsteadOfSignallingEofWhenTheChecksumDiffers() {
        ExpectedDigest expected = new ExpectedDigest("md5", "0".repeat(32));
        VerifyingInputStream in = new VerifyingInputStream(new ByteArrayInputStream(data), expected);

        IOException failure = assertThrows(IOException.class, () -> in.transferTo(OutputStream.nullOutputStream()));

        assertTrue(failure instanceof VerifyingInputStream.ChecksumMismatchException, failure.toString());
        assertTrue(in.mismatch());
        assertEquals("md5:" + hex("MD5", data), in.actual());
        // a reader that retries read() after the failure still gets the failure, never a clean EOF
        assertThrows(IOException.class, () -> in.read(new byte[10]));
    }

    @Test
    void shouldNeverSkipBytesBecauseEveryByteMustBeDigested() throws Exception {
        VerifyingInputStream in = new VerifyingInputStream(new ByteArrayInputStream(data), null);
        assertEquals(0, in.skip(1000));
        in.transferTo(OutputStream.nullOutputStream());
        assertEquals(data.length, in.bytes());
    }

    @Test
    void shouldReadSingleBytesLikeTheBulkPath() throws Exception {
        byte[] small = {1, 2, (byte) 0xff};
        ExpectedDigest expected = new ExpectedDigest("sha1", hex("SHA-1", small));
        InputStream in = new VerifyingInputStream(new ByteArrayInputStream(small), expected);
        assertEquals(1, in.read());
        assertEquals(2, in.read());
        assertEquals(0xff, in.read());
        assertEquals(-1, in.read());
    }

    @Test
    void shouldParseAlgorithmAndDigestCaseInsensitively() {
        ExpectedDigest digest = ExpectedDigest.parse("SHA256:ABCDEF");
        assertEquals("sha256", digest.algorithm());
        assertEquals("abcdef", digest.hex());
        assertThrows(IllegalArgumentException.class, () -> ExpectedDigest.parse("nocolon"));
        assertThrows(IllegalArgumentException.class, () -> ExpectedDigest.parse("crc32:00").newDigest());
    }

    private static String hex(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

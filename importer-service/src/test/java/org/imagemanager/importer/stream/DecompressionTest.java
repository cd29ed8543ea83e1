package org.imagemanager.importer.stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.imagemanager.importer.stream.Decompression.Format;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.tukaani.xz.LZMA2Options;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

import static org.imagemanager.importer.stream.ResumableSourceTest.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecompressionTest {
    /** A pseudo-random 5 MiB "disk image" (random, so nothing compresses it away and every byte counts). */
    private static final byte[] IMAGE = new byte[5 * 1024 * 1024 + 77];
    private static final String IMAGE_SHA256;
    private static final Map<Format, byte[]> PACKED = new EnumMap<>(Format.class);

    static {
        new Random(2024).nextBytes(IMAGE);
        try {
            IMAGE_SHA256 = sha256(IMAGE);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The image packed as {@code format}; tar formats hold a README, a directory and then {@code disk.qcow2}. */
    private static synchronized byte[] packed(Format format) throws IOException {
        byte[] done = PACKED.get(format);
        if (done == null) {
            byte[] inner = format.tar() ? tar(file("README.md", "read me"), directory("images/"),
                    file("images/disk.qcow2", IMAGE), file("images/disk.qcow2.sha256", "abc  disk.qcow2")) : IMAGE;
            done = compress(format, inner);
            PACKED.put(format, done);
        }
        return done;
    }

    static Stream<Arguments> namedFormats() {
        return Stream.of(
                Arguments.of("focal.qcow2.xz", Format.XZ),
                Arguments.of("disk.raw.gz", Format.GZIP),
                Arguments.of("flatcar_production_openstack_image.img.bz2", Format.BZIP2),
                Arguments.of("metal-amd64.raw.zst", Format.ZSTD),
                Arguments.of("image.tar", Format.TAR),
                Arguments.of("image.tar.xz", Format.TAR_XZ),
                Arguments.of("gce.tar.gz", Format.TAR_GZIP),
                Arguments.of("gce.tgz", Format.TAR_GZIP),
                Arguments.of("image.tar.bz2", Format.TAR_BZIP2),
                Arguments.of("image.tar.zst", Format.TAR_ZSTD));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("namedFormats")
    void shouldDecompressEachFormatServedOverHttpEvenAcrossADroppedConnection(String name, Format format) throws Exception {
        byte[] packed = packed(format);
        try (RangeServer server = new RangeServer(RangeServer.bytes(packed))) {
            server.dropsAt.add((long) packed.length / 3);
            ResumableSource.Settings settings = ResumableSource.Settings.defaults().withSleeper(duration -> { });
            try (ResumableSource source = ResumableSource.open(HttpClient.newHttpClient(), server.uri("/files/" + name + "?x=1"), settings);
                 Decompression image = Decompression.open(source, server.uri("/files/" + name + "?x=1").toString())) {

                assertEquals(format, image.format());
                assertFalse(image.detectedFromMagic());
                assertEquals(IMAGE_SHA256, sha256(image));
                assertEquals(IMAGE.length, image.bytesOut());
                assertTrue(image.complete());
                assertEquals(format.tar() ? Optional.of("images/disk.qcow2") : Optional.empty(), image.entryName());
                assertEquals(1, source.resumes());
                assertTrue(source.exhausted(), "the whole compressed file was read, so a digest over it is complete");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void shouldDetectTheFormatFromMagicBytesWhenTheUrlHasNoSuffix(Format format) throws Exception {
        try (Decompression image = Decompression.open(new ByteArrayInputStream(packed(format)),
                "https://example.org/download?id=42")) {
            assertEquals(format, image.format());
            assertTrue(image.detectedFromMagic());
            assertEquals(IMAGE_SHA256, sha256(image));
        }
    }

    @Test
    void shouldPassAPlainImageThroughUntouchedWithoutLookingAtItsBytes() throws Exception {
        byte[] looksLikeGzip = packed(Format.GZIP);
        try (Decompression image = Decompression.open(new ByteArrayInputStream(looksLikeGzip), "https://example.org/a/disk.QCOW2")) {
            assertEquals(Format.PLAIN, image.format());
            assertArrayEquals(looksLikeGzip, image.readAllBytes());
        }
    }

    @Test
    void shouldPickTheDiskImageAfterReadmeDirectoryAndSymlink() throws Exception {
        TarArchiveEntry link = new TarArchiveEntry("latest.img", TarConstants.LF_SYMLINK);
        link.setLinkName("images/disk.raw");
        byte[] archive = tar(file("README", "how to boot"), directory("images/"), new TarEntry(link, new byte[0]),
                file("images/disk.raw", IMAGE), file("images/SHA256SUMS", "abc  disk.raw"));

        try (Decompression image = Decompression.open(new ByteArrayInputStream(archive), "x.tar")) {
            assertEquals(Optional.of("images/disk.raw"), image.entryName());
            assertEquals(IMAGE_SHA256, sha256(image));
        }
    }

    @Test
    void shouldFallBackToTheFirstLargeFileWhenNoEntryHasADiskImageName() throws Exception {
        byte[] archive = tar(file("README", "notes"), file("metadata.json", "{}"), file("rootfs", IMAGE));

        try (Decompression image = Decompression.open(new ByteArrayInputStream(compress(Format.TAR_GZIP, archive)), "a.tgz")) {
            assertEquals(Optional.of("rootfs"), image.entryName());
            assertEquals(IMAGE_SHA256, sha256(image));
        }
    }

    @Test
    void shouldRefuseAnArchiveWithoutADiskImage() throws IOException {
        byte[] archive = compress(Format.TAR_XZ, tar(file("README", "nothing here"), directory("docs/"),
                file("docs/index.html", "<p>hi</p>")));

        UnusableArchiveException failure = assertThrows(UnusableArchiveException.class,
                () -> Decompression.open(new ByteArrayInputStream(archive), "https://example.org/image.tar.xz"));

        assertTrue(failure.getMessage().contains("no disk image"), failure.getMessage());
        assertTrue(failure.getMessage().contains("docs/index.html"), failure.getMessage());
    }

    @Test
    void shouldFailAtTheEndInsteadOfGuessingWhenTheArchiveHoldsTwoDiskImages() throws IOException {
        byte[] small = Arrays.copyOf(IMAGE, 100_000);
        byte[] archive = tar(file("efi.img", small), file("disk.qcow2", IMAGE));

        Decompression image = Decompression.open(new ByteArrayInputStream(archive), "two.tar");
        byte[] buffer = new byte[8192];
        long read = 0;
        UnusableArchiveException failure = null;
        try {
            for (int n; (n = image.read(buffer)) != -1; ) {
                read += n;
            }
        } catch (UnusableArchiveException e) {
            failure = e;
        }

        assertEquals(small.length, read, "the first image was delivered, but no end was signalled");
        assertTrue(failure != null && failure.getMessage().contains("efi.img and disk.qcow2"), String.valueOf(failure));
        assertThrows(UnusableArchiveException.class, image::read, "the failure sticks");
    }

    @Test
    void shouldFailWhenADiskImageFollowsAFileChosenBySize() throws IOException {
        byte[] archive = tar(file("blob", IMAGE), file("disk.raw", "tiny"));

        Decompression image = Decompression.open(new ByteArrayInputStream(archive), "x.tar");

        assertEquals(Optional.of("blob"), image.entryName());
        assertThrows(UnusableArchiveException.class, () -> image.transferTo(OutputStream.nullOutputStream()));
    }

    @Test
    void shouldReadASparseGnuTarLikeGoogleComputeImages() throws Exception {
        // tar --format=oldgnu -Sczf sparse.tar.gz README disk.raw  (disk.raw: 8 MiB, three data runs, rest holes)
        byte[] archive = Base64.getDecoder().decode("""
                H4sIAAAAAAAAA+3Xz2rCMBzA8Zz7FHmC8cufzrNsZScv+gTdVkR0dDQV8e3tdDI6p17MguX7vSSfttBQSCHTYvw8KVTUpOvR\
                +/3Y9XsUsaJM7sRaJ84bJUa8yZWWuMs6tA5t2WitmrpuLz137f6d9vJU6NBuV5VefJTzKku9Hvrf3hdh+dCUm5jvuLz/3X7e\
                2//W5l/7fxZzUceS73/56XtujnPj/77uzlz3J3/Wbt67cVL4LJtQ6ddV/bbUkkEIIYQQQgghhINklCP9HdX7HC6DEEIIIYQQ\
                QggHydTn79T1PscogxBCCCGEEEIIB8nU528iIiIiIiIiIiIiIiKiW7YDnL+AagBQAAA=""");
        byte[] expected = new byte[8 * 1024 * 1024];
        for (int block : new int[] {0, 3, 7}) {
            byte[] run = ("sparse block " + block + "\n").repeat(256).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(run, 0, expected, block * 1024 * 1024, run.length);
        }

        try (Decompression image = Decompression.open(new ByteArrayInputStream(archive), "disk.tar.gz")) {
            assertEquals(Optional.of("disk.raw"), image.entryName());
            assertEquals(sha256(expected), sha256(image));
        }
    }

    static Stream<Arguments> truncations() {
        return Stream.of(Format.XZ, Format.GZIP, Format.BZIP2, Format.ZSTD, Format.TAR, Format.TAR_XZ, Format.TAR_GZIP,
                        Format.TAR_BZIP2, Format.TAR_ZSTD)
                .flatMap(format -> Stream.of(Arguments.of(format, "half"), Arguments.of(format, "last 3 bytes")));
    }

    @ParameterizedTest(name = "{0} without its {1}")
    @MethodSource("truncations")
    void shouldFailOnATruncatedSourceInsteadOfEndingEarly(Format format, String cut) throws IOException {
        byte[] whole = packed(format);
        int keep = cut.equals("half") ? whole.length / 2 : whole.length - 3;
        if (format == Format.TAR && !cut.equals("half")) {
            keep = 512 + IMAGE.length / 2; // a bare tar's end is padding: cut into the image's own bytes instead
        }
        byte[] truncated = Arrays.copyOf(whole, keep);

        CorruptCompressedStreamException failure = assertThrows(CorruptCompressedStreamException.class, () -> {
            try (Decompression image = Decompression.open(new ByteArrayInputStream(truncated), "https://example.org/image."
                    + extension(format))) {
                image.transferTo(OutputStream.nullOutputStream());
            }
        });

        assertEquals(format, failure.format());
        assertTrue(failure.getMessage().contains(format.label()), failure.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = Format.class, names = {"XZ", "GZIP", "BZIP2"})
    void shouldFailOnACorruptByteInTheMiddle(Format format) throws IOException {
        byte[] corrupt = packed(format).clone();
        corrupt[corrupt.length / 2] ^= 0x5A;

        assertThrows(CorruptCompressedStreamException.class, () -> {
            try (Decompression image = Decompression.open(new ByteArrayInputStream(corrupt), "image." + extension(format))) {
                image.transferTo(OutputStream.nullOutputStream());
            }
        });
    }

    @Test
    void shouldFailClearlyWhenTheNameClaimsAnotherFormat() throws IOException {
        CorruptCompressedStreamException failure = assertThrows(CorruptCompressedStreamException.class,
                () -> Decompression.open(new ByteArrayInputStream(packed(Format.GZIP)), "https://example.org/disk.raw.xz"));

        assertEquals(Format.XZ, failure.format());
    }

    @Test
    void shouldFailOnTrailingGarbageAfterTheCompressedData() throws IOException {
        byte[] packed = packed(Format.GZIP);
        byte[] withGarbage = Arrays.copyOf(packed, packed.length + 100);
        Arrays.fill(withGarbage, packed.length, withGarbage.length, (byte) 'x');

        assertThrows(CorruptCompressedStreamException.class, () -> {
            try (Decompression image = Decompression.open(new ByteArrayInputStream(withGarbage), "disk.gz")) {
                image.transferTo(OutputStream.nullOutputStream());
            }
        });
    }

    @Test
    void shouldDecodeConcatenatedStreamsLikeParallelCompressorsWrite() throws Exception {
        byte[] part = Arrays.copyOf(IMAGE, 300_000);
        for (Format format : List.of(Format.GZIP, Format.BZIP2, Format.XZ, Format.ZSTD)) {
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            joined.write(compress(format, Arrays.copyOfRange(part, 0, 100_000)));
            joined.write(compress(format, Arrays.copyOfRange(part, 100_000, part.length)));
            try (Decompression image = Decompression.open(new ByteArrayInputStream(joined.toByteArray()), "d." + extension(format))) {
                assertArrayEquals(part, image.readAllBytes(), format.label());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Format.class, names = {"PLAIN", "XZ", "TAR_GZIP"})
    void shouldRethrowTheSourcesOwnFailureUnchanged(Format format) throws IOException {
        SourceRestartRequiredException dropped = new SourceRestartRequiredException(
                SourceRestartRequiredException.Reason.RANGE_IGNORED, 123, "test", null);
        InputStream failing = new FailingAt(new ByteArrayInputStream(packed(format)), 1_000_000, dropped);
        String name = "disk." + extension(format);

        Decompression image = Decompression.open(failing, name);

        assertSame(dropped, assertThrows(IOException.class, () -> image.transferTo(OutputStream.nullOutputStream())));
        assertSame(dropped, assertThrows(IOException.class, image::read), "never a clean end after a failure");
    }

    @Test
    void shouldReadTheWholeSourceBeforeSignallingTheEndSoItsDigestIsCompleteAndChecked() throws IOException {
        byte[] archive = compress(Format.TAR_GZIP, tar(file("disk.img", IMAGE), file("big-extra.bin", IMAGE),
                file("CHANGELOG", "x")));
        IOException mismatch = new IOException("checksum mismatch (raised at the end like VerifyingInputStream)");
        CountingToEnd source = new CountingToEnd(new ByteArrayInputStream(archive), null);
        CountingToEnd verifying = new CountingToEnd(new ByteArrayInputStream(archive), mismatch);

        try (Decompression image = Decompression.open(source, "image.tgz")) {
            assertEquals(IMAGE.length, image.transferTo(OutputStream.nullOutputStream()));
        }
        Decompression failing = Decompression.open(verifying, "image.tgz");

        assertTrue(source.reachedEnd);
        assertEquals(archive.length, source.count);
        assertSame(mismatch, assertThrows(IOException.class, () -> failing.transferTo(OutputStream.nullOutputStream())));
    }

    @Test
    void shouldTellTheFormatFromTheName() {
        Map<String, Optional<Format>> cases = Map.ofEntries(
                Map.entry("https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img", Optional.of(Format.PLAIN)),
                Map.entry("https://example.org/Fedora-Cloud-Base-41.x86_64.qcow2.XZ?sig=abc#frag", Optional.of(Format.XZ)),
                Map.entry("https://example.org/a/b/disk.raw.tar.gz", Optional.of(Format.TAR_GZIP)),
                Map.entry("https://example.org/a/b/image.tar.zst?download=1", Optional.of(Format.TAR_ZSTD)),
                Map.entry("metal-amd64.raw.zst", Optional.of(Format.ZSTD)),
                Map.entry("opnsense.img.bz2", Optional.of(Format.BZIP2)),
                Map.entry("https://example.org/dir.tar/download", Optional.empty()),
                Map.entry("https://example.org/file%2Eqcow2", Optional.of(Format.PLAIN)),
                Map.entry("https://example.org/get?name=disk.tar.gz", Optional.empty()));

        cases.forEach((name, expected) -> assertEquals(expected, Decompression.formatFromName(name), name));
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    private record TarEntry(TarArchiveEntry entry, byte[] content) {
    }

    private static TarEntry file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    private static TarEntry file(String name, byte[] content) {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        return new TarEntry(entry, content);
    }

    private static TarEntry directory(String name) {
        return new TarEntry(new TarArchiveEntry(name), new byte[0]);
    }

    private static byte[] tar(TarEntry... entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (TarEntry entry : entries) {
                tar.putArchiveEntry(entry.entry());
                tar.write(entry.content());
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** The file-name extension of a format. */
    private static String extension(Format format) {
        return switch (format) {
            case PLAIN -> "img";
            case XZ -> "xz";
            case GZIP -> "gz";
            case BZIP2 -> "bz2";
            case ZSTD -> "zst";
            default -> format.label();
        };
    }

    private static byte[] compress(Format format, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = compressor(format, bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    private static OutputStream compressor(Format format, OutputStream out) throws IOException {
        return switch (format) {
            case PLAIN, TAR -> out;
            case XZ, TAR_XZ -> XZCompressorOutputStream.builder().setOutputStream(out).setLzma2Options(new LZMA2Options(0)).get();
            case GZIP, TAR_GZIP -> new GzipCompressorOutputStream(out);
            case BZIP2, TAR_BZIP2 -> new BZip2CompressorOutputStream(out, 1);
            case ZSTD, TAR_ZSTD -> new ZstdCompressorOutputStream(out);
        };
    }

    /** Throws {@code failure} once {@code at} bytes were read, the way a dropped source does. */
    private static final class FailingAt extends FilterInputStream {
        private final long at;
        private final IOException failure;
        private long count;

        FailingAt(InputStream in, long at, IOException failure) {
            super(in);
            this.at = at;
            this.failure = failure;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (count >= at) {
                throw failure;
            }
            int n = super.read(buffer, offset, (int) Math.min(length, at - count));
            count += Math.max(n, 0);
            return n;
        }
    }

    /** Counts bytes and notes the end; optionally fails at the end like a digest check would. */
    private static final class CountingToEnd extends FilterInputStream {
        private final IOException atEnd;
        private long count;
        private boolean reachedEnd;

        CountingToEnd(InputStream in, IOException atEnd) {
            super(in);
            this.atEnd = atEnd;
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
            if (n > 0) {
                count += n;
            } else if (n == -1) {
                reachedEnd = true;
                if (atEnd != null) {
                    throw atEnd;
                }
            }
            return n;
        }

        @Override
        public long skip(long n) {
            return 0;
        }
    }
}

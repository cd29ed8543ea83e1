package org.imagemanager.importer.stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a compressed or archived source into the disk image inside it, on the fly. Distributions publish images as
 * {@code .qcow2.xz}, {@code .raw.zst}, {@code .img.bz2} or a {@code .tar.gz} holding {@code disk.raw}; Glance wants
 * the image itself, and we never keep a whole image in memory or on disk, so it is decoded while it streams.
 *
 * <p><b>Which format.</b> The file name of the URL decides ({@code .xz .gz .bz2 .zst}, {@code .tar} and the
 * {@code .tar.*}/{@code .tgz}-style names, a disk-image extension meaning "plain"); when the name says nothing the
 * first bytes do (magic numbers, peeked with mark/reset), and after a compression found that way the decompressed
 * bytes are peeked for a tar header too. A plain source passes through untouched.
 *
 * <p><b>Which tar entry</b> — decided in one pass, because a stream cannot look ahead: directories, links, devices
 * and other non-regular entries are skipped; the image is the <em>first regular file whose name ends in a disk-image
 * extension</em> ({@link #DISK_IMAGE_EXTENSIONS}); if a regular file of at least {@link #FALLBACK_MIN_SIZE} bytes
 * without such an extension comes before any, that file is taken instead. The rest of the archive is still read
 * after the image, and if it holds a second candidate (another disk-image name, or — after the size fallback — any
 * disk-image name or another file of that size) the stream fails at its end with {@link UnusableArchiveException}
 * rather than signalling a clean end; an archive without a candidate is refused when opened.
 *
 * <p><b>The end.</b> The end of the image is signalled only once the whole source was read to its end, archive
 * remainder included: a digest computed on the source underneath (the published checksum is of the compressed
 * file) is then complete and, if it mismatches, its exception surfaces here before the reader sees the end.
 *
 * <p><b>Errors.</b> A failure of the source itself (network, {@link SourceRestartRequiredException}, a checksum
 * mismatch) is rethrown as it is; a decoding failure — truncated, corrupt, not the format the name claims — becomes
 * {@link CorruptCompressedStreamException}. Both are sticky: later reads fail again, never return a clean end.
 *
 * <p>Memory is bounded: 64 KiB buffers plus the decoder's window (xz's dictionary is capped at
 * {@link #XZ_MEMORY_LIMIT_KIB}; zstd's window at the library default of 128 MiB). Not thread-safe: one reader.
 */
public final class Decompression extends InputStream {
    /** Names (lower-case) that mark a tar entry as a disk image. */
    public static final List<String> DISK_IMAGE_EXTENSIONS = List.of(".img", ".raw", ".qcow2", ".qcow", ".vmdk", ".vhd",
            ".vhdx", ".vdi", ".iso");
    /** The least size of a tar entry without a disk-image extension to be taken as the image. */
    public static final long FALLBACK_MIN_SIZE = 1024 * 1024;
    /** Largest xz dictionary we accept (xz -9 needs 64 MiB); beyond it the source is refused instead of using memory. */
    public static final int XZ_MEMORY_LIMIT_KIB = 256 * 1024;

    private static final int BUFFER = 64 * 1024;
    private static final int PEEK = 512;
    private static final int LISTED_ENTRIES = 20;

    /** What a source is; {@link #label()} is what messages call it. */
    public enum Format {
        PLAIN("plain", Codec.NONE, false),
        XZ("xz", Codec.XZ, false),
        GZIP("gzip", Codec.GZIP, false),
        BZIP2("bzip2", Codec.BZIP2, false),
        ZSTD("zstd", Codec.ZSTD, false),
        TAR("tar", Codec.NONE, true),
        TAR_XZ("tar.xz", Codec.XZ, true),
        TAR_GZIP("tar.gz", Codec.GZIP, true),
        TAR_BZIP2("tar.bz2", Codec.BZIP2, true),
        TAR_ZSTD("tar.zst", Codec.ZSTD, true);

        private final String label;
        private final Codec codec;
        private final boolean tar;

        Format(String label, Codec codec, boolean tar) {
            this.label = label;
            this.codec = codec;
            this.tar = tar;
        }

        public String label() {
            return label;
        }

        public boolean compressed() {
            return codec != Codec.NONE;
        }

        public boolean tar() {
            return tar;
        }

        private Format asTar() {
            return Arrays.stream(values()).filter(f -> f.tar && f.codec == codec).findFirst().orElseThrow();
        }
    }

    private enum Codec { NONE, XZ, GZIP, BZIP2, ZSTD }

    /** File-name suffixes, longest first so {@code .tar.gz} wins over {@code .gz}. */
    private static final List<Suffix> SUFFIXES = List.of(
            new Suffix(".tar.xz", Format.TAR_XZ), new Suffix(".tar.gz", Format.TAR_GZIP),
            new Suffix(".tar.bz2", Format.TAR_BZIP2), new Suffix(".tar.zst", Format.TAR_ZSTD),
            new Suffix(".tar.zstd", Format.TAR_ZSTD), new Suffix(".txz", Format.TAR_XZ), new Suffix(".tgz", Format.TAR_GZIP),
            new Suffix(".tbz2", Format.TAR_BZIP2), new Suffix(".tbz", Format.TAR_BZIP2), new Suffix(".tzst", Format.TAR_ZSTD),
            new Suffix(".tar", Format.TAR), new Suffix(".ova", Format.TAR),
            new Suffix(".xz", Format.XZ), new Suffix(".gz", Format.GZIP), new Suffix(".bz2", Format.BZIP2),
            new Suffix(".zst", Format.ZSTD), new Suffix(".zstd", Format.ZSTD));

    private record Suffix(String suffix, Format format) {
    }

    private final SourceGuard guard;
    private final InputStream raw;
    private final InputStream decoded;
    private final TarArchiveInputStream tar;
    private final Format format;
    private final boolean fromMagic;
    private final String entryName;
    private final boolean entryByExtension;
    private long bytesOut;
    private boolean ended;
    private boolean closed;
    private IOException failure;

    private Decompression(SourceGuard guard, InputStream raw, InputStream decoded, TarArchiveInputStream tar,
                          Format format, boolean fromMagic, String entryName, boolean entryByExtension) {
        this.guard = guard;
        this.raw = raw;
        this.decoded = decoded;
        this.tar = tar;
        this.format = format;
        this.fromMagic = fromMagic;
        this.entryName = entryName;
        this.entryByExtension = entryByExtension;
    }

    /**
     * Wraps {@code source}. Reads as far as needed to know the format and, for an archive, to reach the start of the
     * image entry (skipping what comes before it).
     *
     * @param urlOrFileName the source's URL (query and fragment are ignored) or file name; may be null (magic only)
     * @throws UnusableArchiveException          a tar archive without a disk image
     * @throws CorruptCompressedStreamException  the header of the compressed stream or archive could not be decoded
     * @throws IOException                       the source failed (rethrown as it is)
     */
    public static Decompression open(InputStream source, String urlOrFileName) throws IOException {
        Objects.requireNonNull(source, "source");
        SourceGuard guard = new SourceGuard(source);
        BufferedInputStream raw = new BufferedInputStream(guard, BUFFER);
        Optional<Format> named = formatFromName(urlOrFileName);
        Format format;
        try {
            format = named.isPresent() ? named.get() : sniff(raw);
        } catch (IOException e) {
            throw guard.failureOr(e);
        }
        boolean fromMagic = named.isEmpty();
        InputStream decoded;
        try {
            decoded = decoder(format.codec, raw);
            if (fromMagic && format.compressed()) {
                BufferedInputStream peekable = new BufferedInputStream(decoded, BUFFER);
                if (isTar(peek(peekable))) {
                    format = format.asTar();
                }
                decoded = peekable;
            }
        } catch (IOException | RuntimeException e) {
            throw translate(guard, format, 0, e);
        }
        if (!format.tar()) {
            return new Decompression(guard, raw, decoded, null, format, fromMagic, null, false);
        }
        TarArchiveInputStream tar = new TarArchiveInputStream(decoded);
        try {
            List<String> seen = new ArrayList<>();
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (seen.size() < LISTED_ENTRIES) {
                    seen.add(entry.getName() + (entry.isDirectory() ? "" : " (" + entry.getRealSize() + " bytes)"));
                }
                if (!regularFile(entry)) {
                    continue;
                }
                boolean byExtension = hasDiskImageExtension(entry.getName());
                if (byExtension || entry.getRealSize() >= FALLBACK_MIN_SIZE) {
                    if (!tar.canReadEntryData(entry)) {
                        throw new UnusableArchiveException("the disk image " + entry.getName() + " in the " + format.label()
                                + " archive is stored in a way that cannot be read (e.g. an unsupported sparse format)");
                    }
                    return new Decompression(guard, raw, decoded, tar, format, fromMagic, entry.getName(), byExtension);
                }
            }
            throw new UnusableArchiveException("the " + format.label() + " archive holds no disk image (no regular file named "
                    + String.join("/", DISK_IMAGE_EXTENSIONS) + ", none of at least " + FALLBACK_MIN_SIZE + " bytes); entries: "
                    + (seen.isEmpty() ? "none" : String.join(", ", seen)));
        } catch (IOException | RuntimeException e) {
            throw translate(guard, format, 0, e);
        }
    }

    /**
     * The format a URL or file name announces: a compression/archive suffix, {@link Format#PLAIN} for a disk-image
     * extension, empty when the name says nothing (then the bytes decide).
     */
    public static Optional<Format> formatFromName(String urlOrFileName) {
        String name = fileNameOf(urlOrFileName);
        for (Suffix suffix : SUFFIXES) {
            if (name.endsWith(suffix.suffix())) {
                return Optional.of(suffix.format());
            }
        }
        return hasDiskImageExtension(name) ? Optional.of(Format.PLAIN) : Optional.empty();
    }

    /** The last path segment of a URL (query and fragment dropped, percent-decoded), lower-case. */
    static String fileNameOf(String urlOrFileName) {
        if (urlOrFileName == null) {
            return "";
        }
        String text = urlOrFileName.trim();
        int cut = text.indexOf('#');
        text = cut >= 0 ? text.substring(0, cut) : text;
        cut = text.indexOf('?');
        text = cut >= 0 ? text.substring(0, cut) : text;
        try {
            String path = new URI(text).getPath();
            if (path != null) {
                text = path;
            }
        } catch (URISyntaxException e) {
            // not a URI: a plain file name or path
        }
        text = text.substring(Math.max(text.lastIndexOf('/'), text.lastIndexOf('\\')) + 1);
        return text.toLowerCase(Locale.ROOT);
    }

    static boolean hasDiskImageExtension(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return DISK_IMAGE_EXTENSIONS.stream().anyMatch(lower::endsWith);
    }

    private static boolean regularFile(TarArchiveEntry entry) {
        return entry.isFile() && !entry.isDirectory() && !entry.isSymbolicLink() && !entry.isLink()
                && !entry.isCharacterDevice() && !entry.isBlockDevice() && !entry.isFIFO();
    }

    private static InputStream decoder(Codec codec, InputStream in) throws IOException {
        // Concatenated streams are decoded too: pbzip2, pigz and pixz write several members/streams into one file.
        return switch (codec) {
            case NONE -> in;
            case XZ -> XZCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(true)
                    .setMemoryLimitKiB(XZ_MEMORY_LIMIT_KIB).get();
            case GZIP -> GzipCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(true).get();
            case BZIP2 -> new BZip2CompressorInputStream(in, true);
            case ZSTD -> new ZstdCompressorInputStream(in);
        };
    }

    private static byte[] peek(BufferedInputStream in) throws IOException {
        in.mark(PEEK);
        byte[] head = in.readNBytes(PEEK);
        in.reset();
        return head;
    }

    private static Format sniff(BufferedInputStream in) throws IOException {
        byte[] h = peek(in);
        if (startsWith(h, 0xFD, '7', 'z', 'X', 'Z', 0x00)) {
            return Format.XZ;
        }
        if (startsWith(h, 0x1F, 0x8B)) {
            return Format.GZIP;
        }
        if (h.length >= 10 && startsWith(h, 'B', 'Z', 'h') && h[3] >= '1' && h[3] <= '9'
                && (startsWith(Arrays.copyOfRange(h, 4, 10), 0x31, 0x41, 0x59, 0x26, 0x53, 0x59)
                || startsWith(Arrays.copyOfRange(h, 4, 10), 0x17, 0x72, 0x45, 0x38, 0x50, 0x90))) {
            return Format.BZIP2;
        }
        if (startsWith(h, 0x28, 0xB5, 0x2F, 0xFD)) {
            return Format.ZSTD;
        }
        return isTar(h) ? Format.TAR : Format.PLAIN;
    }

    /** POSIX ({@code "ustar\0"}) and GNU ({@code "ustar "}) headers carry their magic at offset 257. */
    private static boolean isTar(byte[] head) {
        return head.length >= 263 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
    }

    private static boolean startsWith(byte[] data, int... prefix) {
        if (data.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((data[i] & 0xff) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        if (closed) {
            throw new IOException("stream closed");
        }
        if (failure != null) {
            throw failure;
        }
        if (ended) {
            return -1;
        }
        if (length == 0) {
            return 0;
        }
        try {
            int n = tar != null ? tar.read(buffer, offset, length) : decoded.read(buffer, offset, length);
            if (n >= 0) {
                bytesOut += n;
                return n;
            }
            finish();
            ended = true;
            return -1;
        } catch (IOException | RuntimeException e) {
            failure = translate(guard, format, bytesOut, e);
            throw failure;
        }
    }

    /** Reads what follows the image to the end of the source, and checks the archive held no second candidate. */
    private void finish() throws IOException {
        byte[] scratch = new byte[BUFFER];
        if (tar != null) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (!regularFile(entry)) {
                    continue;
                }
                boolean byExtension = hasDiskImageExtension(entry.getName());
                if (byExtension || (!entryByExtension && entry.getRealSize() >= FALLBACK_MIN_SIZE)) {
                    throw new UnusableArchiveException("the " + format.label() + " archive holds more than one disk image: "
                            + entryName + " and " + entry.getName() + (entryByExtension ? "" : " (the first was chosen by size)")
                            + "; refusing to guess");
                }
            }
            while (decoded.read(scratch) != -1) {
                // tar padding after the end-of-archive blocks, still part of the compressed stream
            }
        }
        long trailing = 0;
        for (int n; (n = raw.read(scratch)) != -1; ) {
            trailing += n;
        }
        if (format.compressed() && trailing > 0) {
            throw new CorruptCompressedStreamException(format, bytesOut, trailing + " bytes follow the end of the compressed data", null);
        }
    }

    private static IOException translate(SourceGuard guard, Format format, long bytesOut, Throwable e) {
        if (guard.failure != null) {
            return guard.failure;
        }
        if (e instanceof UnusableArchiveException || e instanceof CorruptCompressedStreamException) {
            return (IOException) e;
        }
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
        return new CorruptCompressedStreamException(format, bytesOut, detail, e);
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            (tar != null ? tar : decoded).close();
        }
    }

    /** The format in use. */
    public Format format() {
        return format;
    }

    /** Whether the format came from magic bytes (the name said nothing) rather than the name. */
    public boolean detectedFromMagic() {
        return fromMagic;
    }

    /** The tar entry being delivered; empty for non-archives. */
    public Optional<String> entryName() {
        return Optional.ofNullable(entryName);
    }

    /** Decompressed bytes delivered so far. */
    public long bytesOut() {
        return bytesOut;
    }

    /** True once the image and the rest of the source were read to their ends without error. */
    public boolean complete() {
        return ended;
    }

    /**
     * Sits on the source to tell its failures from decoding failures, and to make skips read: every byte must pass
     * the digests beneath, and some of those streams refuse to skip.
     */
    private static final class SourceGuard extends FilterInputStream {
        private IOException failure;

        SourceGuard(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
                throw e;
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                return in.read(buffer, offset, length);
            } catch (IOException e) {
                failure = failure == null ? e : failure;
                throw e;
            }
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] scratch = new byte[(int) Math.min(BUFFER, Math.max(n, 1))];
            long skipped = 0;
            while (skipped < n) {
                int got = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
                if (got == -1) {
                    break;
                }
                skipped += got;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        IOException failureOr(IOException e) {
            return failure != null ? failure : e;
        }
    }
}

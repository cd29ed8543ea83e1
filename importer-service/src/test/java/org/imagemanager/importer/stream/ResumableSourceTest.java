package org.imagemanager.importer.stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResumableSourceTest {
    private static final int SIZE = 3 * 1024 * 1024 + 123;
    /**
     * Where the server cuts the connection. How much of what it sent before reaches the reader varies (the client
     * may discard buffered bytes when the socket resets), so tests compare Range headers with what the reader had
     * actually been given ({@link #readRecordingResumePoints}), and check that no more than DROP bytes were given.
     */
    private static final long DROP = 1_000_003;

    private final byte[] data = new byte[SIZE];
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    private final ResumableSource.Settings settings = ResumableSource.Settings.defaults()
            .withBackoff(Duration.ofMillis(10), Duration.ofMillis(40))
            .withRequestTimeout(Duration.ofSeconds(20))
            .withSleeper(sleeps::add);
    private final RangeServer server;

    ResumableSourceTest() throws IOException {
        new Random(7).nextBytes(data);
        server = new RangeServer(RangeServer.bytes(data));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void shouldDeliverTheWholeFileInOneRequestWhenNothingBreaks() throws Exception {
        try (ResumableSource source = ResumableSource.open(http, server.file(), settings)) {
            assertEquals(SIZE, source.totalSize().orElseThrow());
            assertArrayEquals(data, source.readAllBytes());
            assertTrue(source.exhausted());
            assertEquals(SIZE, source.bytesDelivered());
            assertEquals(0, source.resumes());
            assertEquals(-1, source.read());
        }
        assertEquals(1, server.requests.size());
        assertTrue(sleeps.isEmpty());
    }

    @Test
    void shouldResumeWithARangeRequestWhenTheConnectionDropsOnce() throws Exception {
        server.dropsAt.add(DROP);

        List<Long> resumedAt;
        try (ResumableSource source = ResumableSource.open(http, server.file(), settings)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            resumedAt = readRecordingResumePoints(source, digest);
            assertEquals(sha256(data), HexFormat.of().formatHex(digest.digest()));
            assertEquals(1, source.resumes());
            assertEquals(SIZE, source.bytesDelivered());
            assertTrue(source.exhausted());
        }

        assertEquals(1, resumedAt.size());
        assertTrue(resumedAt.getFirst() > 0 && resumedAt.getFirst() <= DROP, resumedAt.toString());
        assertEquals(2, server.requests.size());
        assertNull(server.requests.getFirst().range());
        assertEquals(List.of(new RangeServer.Request("/file", "bytes=" + resumedAt.getFirst() + "-", "\"v1\"")),
                server.rangeRequests());
        assertEquals(List.of(Duration.ofMillis(10)), sleeps);
    }

    @Test
    void shouldResumeTwiceWhenTheConnectionDropsTwice() throws Exception {
        server.dropsAt.addAll(List.of(DROP, 2 * DROP));

        List<Long> resumedAt;
        try (ResumableSource source = ResumableSource.open(http, server.file(), settings)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            resumedAt = readRecordingResumePoints(source, digest);
            assertEquals(sha256(data), HexFormat.of().formatHex(digest.digest()));
            assertEquals(2, source.resumes());
        }

        assertEquals(resumedAt.stream().map(at -> "bytes=" + at + "-").toList(),
                server.rangeRequests().stream().map(RangeServer.Request::range).toList());
        assertTrue(resumedAt.get(0) <= DROP && resumedAt.get(1) > DROP && resumedAt.get(1) <= 2 * DROP, resumedAt.toString());
        assertEquals(List.of(Duration.ofMillis(10), Duration.ofMillis(20)), sleeps);
    }

    @Test
    void shouldResumeWhenTheServerAnswersARangeRequestWithoutHavingAdvertisedRanges() throws Exception {
        server.advertiseRanges = false;
        server.dropsAt.add(DROP);

        try (ResumableSource source = ResumableSource.open(http, server.file(), settings)) {
            assertEquals(sha256(data), sha256(source));
            assertEquals(1, source.resumes());
        }
    }

    @Test
    void shouldResumeAChunkedResponseWithoutContentLength() throws Exception {
        server.chunked = true;
        server.dropsAt.add(DROP);

        try (ResumableSource source = ResumableSource.open(http, server.file(), settings)) {
            assertTrue(source.totalSize().isEmpty());
            assertEquals(sha256(data), sha256(source));
            assertEquals(1, source.resumes());
            assertEquals(SIZE, source.totalSize().orElseThrow(), "learnt from the Content-Range of the 206");
        }
    }

    @Test
    void shouldUseLastModifiedForIfRangeWhenThereIsNoStrongEtag() throws Exception {
        server.etag = "W/\"weak\"";
        server.dropsAt.add(DROP);

        try (ResumableSource source = ResumableSource.open(http, server.file(), settings)) {
            assertEquals(sha256(data), sha256(source));
        }

        assertEquals(server.lastModified, server.rangeRequests().getFirst().ifRange());
    }

    @Test
    void shouldResumeAtTheUrlTheRedirectLedTo() throws Exception {
        server.dropsAt.add(DROP);

        try (ResumableSource source = ResumableSource.open(http, server.uri("/redirect"), settings)) {
            assertEquals(sha256(data), sha256(source));
            assertEquals(server.file(), source.effectiveUri());
        }

        assertEquals(List.of("/redirect", "/file", "/file"), server.requests.stream().map(RangeServer.Request::path).toList());
    }

    @Test
    void shouldRequireARestartWhenTheServerIgnoresRanges() throws Exception {
        server.advertiseRanges = false;
        server.honourRanges = false;
        server.dropsAt.add(DROP);

        SourceRestartRequiredException failure = readExpectingRestart();

        assertEquals(SourceRestartRequiredException.Reason.RANGE_IGNORED, failure.reason());
        assertTrue(failure.bytesDelivered() > 0 && failure.bytesDelivered() <= DROP, failure.toString());
    }

    @Test
    void shouldKeepFailingWithTheSameExceptionAfterGivingUp() throws Exception {
        server.honourRanges = false;
        server.dropsAt.add(DROP);

        try (ResumableSource source = ResumableSource.open(http, server.file(), settings)) {
            IOException first = assertThrows(SourceRestartRequiredException.class, () -> source.transferTo(OutputStream.nullOutputStream()));

            assertSame(first, assertThrows(IOException.class, source::read));
            assertFalse(source.exhausted());
        }
        assertEquals(1, server.rangeRequests().size(), "no second round of resumes");
    }

    @Test
    void shouldRequireARestartWithoutAskingWhenTheServerSaysItHasNoRanges() throws Exception {
        server.advertiseRanges = false;
        server.acceptRangesNone = true;
        server.dropsAt.add(DROP);

        SourceRestartRequiredException failure = readExpectingRestart();

        assertEquals(SourceRestartRequiredException.Reason.NO_RANGE_SUPPORT, failure.reason());
        assertTrue(failure.bytesDelivered() > 0 && failure.bytesDelivered() <= DROP, failure.toString());
        assertTrue(server.rangeRequests().isEmpty());
    }

    @Test
    void shouldRequireARestartWhenTheServerGaveNoValidator() throws Exception {
        server.etag = null;
        server.lastModified = null;
        server.dropsAt.add(DROP);

        SourceRestartRequiredException failure = readExpectingRestart();

        assertEquals(SourceRestartRequiredException.Reason.NO_VALIDATOR, failure.reason());
        assertTrue(server.rangeRequests().isEmpty());
    }

    @Test
    void shouldNotStitchWhenTheFileChangedAndTheServerSendsTheWholeNewFile() throws Exception {
        server.dropsAt.add(DROP);
        ByteArrayOutputStream received = new ByteArrayOutputStream();

        SourceRestartRequiredException failure = assertThrows(SourceRestartRequiredException.class, () -> {
            try (ResumableSource source = ResumableSource.open(http, server.file(), settings)) {
                byte[] buffer = new byte[8192];
                for (int n; (n = source.read(buffer)) != -1; ) {
                    received.write(buffer, 0, n);
                    if (received.size() >= DROP / 2 && "\"v1\"".equals(server.etag)) {
                        server.etag = "\"v2\"";
                        server.lastModified = "Wed, 02 Apr 2025 10:00:00 GMT";
                        server.content = RangeServer.bytes(reversed(data));
                    }
                }
            }
        });

        assertEquals(SourceRestartRequiredException.Reason.RANGE_IGNORED, failure.reason());
        assertEquals("\"v1\"", server.rangeRequests().getFirst().ifRange());
        assertEquals(received.size(), failure.bytesDelivered());
        assertTrue(received.size() <= DROP);
        assertArrayEquals(Arrays.copyOf(data, received.size()), received.toByteArray(), "only bytes of the first version");
    }

    @Test
    void shouldRequireARestartWhenTheServerAnswers412BecauseTheFileChanged() throws Exception {
        server.dropsAt.add(DROP);
        server.preconditionFailedOnChange = true;

        SourceRestartRequiredException failure = assertThrows(SourceRestartRequiredException.class, () -> {
            try (ResumableSource source = ResumableSource.open(http, server.file(), settings)) {
                source.readNBytes(10);
                server.etag = "\"v2\"";
                server.lastModified = "Wed, 02 Apr 2025 10:00:00 GMT";
                source.transferTo(OutputStream.nullOutputStream());
            }
        });

        assertEquals(SourceRestartRequiredException.Reason.SOURCE_CHANGED, failure.reason());
        assertTrue(failure.bytesDelivered() > 0 && failure.bytesDelivered() <= DROP, failure.toString());
        assertEquals(1, server.rangeRequests().size());
    }

    @Test
    void shouldRequireARestartWhenThePartialAnswerCarriesAnotherEtag() throws Exception {
        server.dropsAt.add(DROP);
        server.partialEtag = "\"other\"";

        SourceRestartRequiredException failure = readExpectingRestart();

        assertEquals(SourceRestartRequiredException.Reason.RANGE_MISMATCH, failure.reason());
        assertTrue(failure.getMessage().contains("ETag changed"), failure.getMessage());
    }

    @Test
    void shouldRequireARestartWhenTheContentRangeDoesNotStartAtTheNextByte() throws Exception {
        server.dropsAt.add(DROP);
        server.contentRangeShift = -1;

        SourceRestartRequiredException failure = readExpectingRestart();

        assertEquals(SourceRestartRequiredException.Reason.RANGE_MISMATCH, failure.reason());
        assertTrue(failure.getMessage().contains("does not start at byte " + failure.bytesDelivered()), failure.getMessage());
    }

    @Test
    void shouldFailWithTheStatusWhenTheFileIsMissing() {
        SourceHttpStatusException failure = assertThrows(SourceHttpStatusException.class,
                () -> ResumableSource.open(http, server.uri("/missing.qcow2"), settings));

        assertEquals(404, failure.status());
        assertTrue(failure.getMessage().contains("404"), failure.getMessage());
    }

    @Test
    void shouldRetryATransientAnswerToAResumeRequest() throws Exception {
        server.dropsAt.add(DROP);
        server.rangeAnswers.add(503);

        try (ResumableSource source = ResumableSource.open(http, server.file(), settings)) {
            assertEquals(sha256(data), sha256(source));
            assertEquals(1, source.resumes());
            assertEquals(2, source.resumeAttempts());
        }
        assertEquals(List.of(Duration.ofMillis(10), Duration.ofMillis(20)), sleeps);
    }

    @Test
    void shouldGiveUpAfterTheConfiguredNumberOfResumesWithBackoffCapped() throws Exception {
        server.dropsAt.addAll(List.of(100_000L, 200_000L, 300_000L, 400_000L, 500_000L));

        IOException failure = assertThrows(IOException.class, () -> {
            try (ResumableSource source = ResumableSource.open(http, server.file(), settings.withMaxResumes(3))) {
                source.transferTo(OutputStream.nullOutputStream());
            }
        });

        assertFalse(failure instanceof SourceRestartRequiredException, failure.toString());
        assertTrue(failure.getMessage().contains("3 resume attempts"), failure.getMessage());
        assertEquals(3, server.rangeRequests().size());
        assertEquals(List.of(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(40)), sleeps);
    }

    @Test
    void shouldCapTheBackoff() {
        ResumableSource.Settings capped = settings.withBackoff(Duration.ofMillis(500), Duration.ofSeconds(8));
        assertEquals(List.of(500L, 1000L, 2000L, 4000L, 8000L, 8000L),
                java.util.stream.IntStream.rangeClosed(1, 6).mapToObj(capped::backoff).map(Duration::toMillis).toList());
    }

    @Test
    void shouldStreamALargeFileWithBoundedBufferingAndResumeInTheMiddle() throws Exception {
        long size = 64L * 1024 * 1024;
        RangeServer.Content big = RangeServer.generated(size, 99);
        server.content = big;
        server.dropsAt.add(40L * 1024 * 1024 + 5);
        MessageDigest digest = MessageDigest.getInstance("SHA-256");

        try (ResumableSource source = ResumableSource.open(http, server.file(), settings)) {
            byte[] buffer = new byte[64 * 1024];
            long lagWhenIdle = -1;
            for (int n; (n = source.read(buffer)) != -1; ) {
                digest.update(buffer, 0, n);
                if (lagWhenIdle < 0 && source.bytesDelivered() >= 1024 * 1024) {
                    // Stop reading until the server stops getting ahead: what it managed to write is all that can
                    // be buffered between it and us (socket buffers plus the client's queue).
                    lagWhenIdle = waitUntilServerStalls() - source.bytesDelivered();
                }
            }
            assertEquals(size, source.bytesDelivered());
            assertEquals(1, source.resumes());
            assertTrue(lagWhenIdle < 24L * 1024 * 1024,
                    "the client buffered " + lagWhenIdle + " bytes ahead of its reader: it must stream, not collect");
        }
        assertEquals(big.sha256(), HexFormat.of().formatHex(digest.digest()));
    }

    private long waitUntilServerStalls() throws InterruptedException {
        long before = -1;
        for (int stable = 0, polls = 0; stable < 3 && polls < 100; polls++) {
            long now = server.written.get();
            stable = now == before ? stable + 1 : 0;
            before = now;
            Thread.sleep(50);
        }
        return before;
    }

    /** Reads to the end; returns, per resume, how many bytes the reader had when it happened. */
    private static List<Long> readRecordingResumePoints(ResumableSource source, MessageDigest digest) throws IOException {
        List<Long> points = new java.util.ArrayList<>();
        byte[] buffer = new byte[8192];
        while (true) {
            long before = source.bytesDelivered();
            int resumesBefore = source.resumes();
            int n = source.read(buffer);
            if (source.resumes() > resumesBefore) {
                points.add(before);
            }
            if (n == -1) {
                return points;
            }
            digest.update(buffer, 0, n);
        }
    }

    private SourceRestartRequiredException readExpectingRestart() {
        return assertThrows(SourceRestartRequiredException.class, () -> {
            try (ResumableSource source = ResumableSource.open(http, server.file(), settings)) {
                source.transferTo(OutputStream.nullOutputStream());
            }
        });
    }

    private static byte[] reversed(byte[] bytes) {
        byte[] copy = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            copy[i] = bytes[bytes.length - 1 - i];
        }
        return copy;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static String sha256(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
            in.transferTo(out);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}

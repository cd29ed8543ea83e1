package org.imagemanager.importer.stream;

import org.imagemanager.cloud.Clouds;
import org.imagemanager.event.FailureReason;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.ImportCompleted;
import org.imagemanager.event.ImportFailed;
import org.imagemanager.event.ImportImage;
import org.imagemanager.glance.Glance;
import org.imagemanager.glance.NewImage;
import org.imagemanager.importer.ImportService;
import org.imagemanager.importer.ImportSettings;
import org.imagemanager.kafka.EventPublisher;
import org.imagemanager.kafka.EventRecords;
import org.imagemanager.kafka.TopicNames;
import org.imagemanager.kafka.TopicsInitializer;
import org.imagemanager.plan.ImageProperties;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.testsupport.DevCloud;
import org.imagemanager.testsupport.SharedKafka;
import org.imagemanager.testsupport.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sources that misbehave, against the real Glance: cut mid-download, trickling, answering 500 or 404, a body that
 * breaks off before its Content-Length, a Content-Length shorter than the file. Each import ends with an
 * {@link ImportFailed} whose reason and message say what happened, leaves no image of its own in Glance (in any
 * status), and leaves the family's current image exactly as it was.
 */
class SourceFaultsIT {
    private static final int MIB = 1 << 20;

    final String id = UUID.randomUUID().toString().substring(0, 8);
    final String tag = "im-faults-" + id;
    Clouds clouds;
    Glance glance;
    EventPublisher publisher;
    /** The family's current image: every failed import must leave it exactly as it was. */
    ObservedImage current;

    @BeforeEach
    void setUp() throws Exception {
        clouds = new Clouds(DevCloud.cloudsFile().toString());
        glance = clouds.glance(DevCloud.ADMIN_CLOUD);
        TopicNames topics = new TopicNames("fd-" + id, "fa-" + id, "fe-" + id);
        TopicsInitializer.ensure(SharedKafka.bootstrapServers(), topics, 1, (short) 1);
        publisher = new EventPublisher(SharedKafka.bootstrapServers(), new EventRecords(topics, "test"));
        String currentId = glance.create(new NewImage(null, "Faults " + id, "raw", 1, 64,
                Map.of(ImageProperties.FAMILY, "Faults " + id, ImageProperties.INTERNAL_VERSION, "0"), List.of(tag)));
        glance.upload(currentId, new ByteArrayInputStream(new byte[1024]));
        current = glance.get(currentId).orElseThrow();
    }

    @AfterEach
    void tearDown() {
        glance.listImages(tag).forEach(image -> glance.delete(image.id()));
        publisher.close();
    }

    // --- 1. cut mid-download ----------------------------------------------------------------------------------------

    @Test
    void aSourceCutOnEveryAttemptThatCannotResumeEndsAsInterruptedAfterTheConfiguredAttempts() throws Exception {
        RangeServer.Content content = RangeServer.generated(8L * MIB, 21);
        try (RangeServer server = new RangeServer(content)) {
            server.advertiseRanges = false;
            server.acceptRangesNone = true;
            for (int i = 0; i < 3; i++) {
                server.dropsAt.add(3L * MIB);
            }
            ImportImage action = action("cut", server.uri("/files/disk.raw").toString(), "sha256:" + content.sha256());

            ImportFailed failed = failed(importer(settings -> settings.attempts = 3).importImage(action));

            assertEquals(FailureReason.SOURCE_INTERRUPTED, failed.reason(), failed.toString());
            assertMatches("GET " + Pattern.quote(action.url()) + ": the source ended after \\d+ of " + 8 * MIB + " bytes and cannot be"
                    + " resumed \\(the server does not support ranges\\): given up after 3 attempts", failed.message());
            assertEquals(3, server.requests.size(), "each attempt from the start, never a Range request: " + server.requests);
            assertTrue(server.rangeRequests().isEmpty(), server.requests.toString());
            assertNothingLeftBy(action);
        }
    }

    @Test
    void aSourceCutOnceWithoutRangesStartsOverAndLeavesOnlyTheFinishedImage() throws Exception {
        RangeServer.Content content = RangeServer.generated(8L * MIB, 22);
        try (RangeServer server = new RangeServer(content)) {
            server.advertiseRanges = false;
            server.acceptRangesNone = true;
            server.dropsAt.add(3L * MIB);
            ImportImage action = action("cut-once", server.uri("/files/disk.raw").toString(), "sha256:" + content.sha256());

            ImportCompleted done = assertInstanceOf(ImportCompleted.class, importer(settings -> { }).importImage(action));

            assertEquals(2, server.requests.size(), server.requests.toString());
            assertEquals(8L * MIB, done.bytes());
            List<ObservedImage> images = glance.listImages(tag);
            assertEquals(Set.of(current.id(), done.imageId()), images.stream().map(ObservedImage::id).collect(java.util.stream.Collectors.toSet()),
                    "the half image of the first attempt is gone: " + images);
            ObservedImage image = glance.get(done.imageId()).orElseThrow();
            assertEquals("active", image.status());
            try (InputStream stored = glance.download(done.imageId())) {
                assertEquals(content.sha256(), TestImages.sha256(stored));
            }
            assertCurrentImageUntouched(2);
        }
    }

    @Test
    void aSourceWhoseResumesKeepFailingEndsAsInterruptedNotUnreachable() throws Exception {
        RangeServer.Content content = RangeServer.generated(4L * MIB, 23);
        try (RangeServer server = new RangeServer(content)) {
            server.dropsAt.add((long) MIB);
            for (int i = 0; i < 5; i++) { // every resume the importer may send (ResumableSource's default: 5)
                server.rangeAnswers.add(503);
            }
            ImportImage action = action("resumes", server.uri("/files/disk.raw").toString(), "sha256:" + content.sha256());

            // the resumes' backoff (0.5 + 1 + 2 + 4 + 8 s) is time without bytes: a window longer than that, or it is a stall
            ImportFailed failed = failed(importer(settings -> {
                settings.attempts = 1;
                settings.sourceIdleTimeout = Duration.ofSeconds(30);
            }).importImage(action));

            assertEquals(FailureReason.SOURCE_INTERRUPTED, failed.reason(), failed.toString());
            assertMatches("GET " + Pattern.quote(action.url()) + ": the source ended after \\d+ of " + 4 * MIB + " bytes and could not"
                    + " be resumed \\(last: resuming .* answered HTTP 503\\): given up after 1 attempt", failed.message());
            assertEquals(5, server.rangeRequests().size(), server.requests.toString());
            assertNothingLeftBy(action);
        }
    }

    // --- 2. a trickle -----------------------------------------------------------------------------------------------

    @Test
    void aSourceSendingOneByteASecondIsGivenUpAsStalledAfterTheIdleTimeout() throws Exception {
        byte[] data = random(64 * 1024, 24);
        try (FaultServer server = new FaultServer(FaultServer.trickle(data, 1, Duration.ofSeconds(1)))) {
            ImportImage action = action("trickle", server.uri("/disk.raw").toString(), "sha256:" + TestImages.sha256(new ByteArrayInputStream(data)));
            long start = System.nanoTime();

            ImportFailed failed = failed(importer(settings -> {
                settings.attempts = 2;
                settings.sourceIdleTimeout = Duration.ofSeconds(3);
                settings.sourceMinimumRate = 1024;
            }).importImage(action));

            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(FailureReason.SOURCE_STALLED, failed.reason(), failed.toString());
            assertMatches("GET " + Pattern.quote(action.url()) + ": the source sent [1-5] bytes? in the last PT3(\\.\\d+)?S"
                    + " \\(less than 1024 bytes/s\\): given up after 2 attempts", failed.message());
            assertEquals(2, server.requests.size(), "a stall is retried: " + server.requests);
            // each attempt waited out its window (no sooner), and neither hung (the bound is loose: a busy machine is slow)
            assertTrue(took.compareTo(Duration.ofSeconds(6)) >= 0 && took.compareTo(Duration.ofSeconds(60)) < 0,
                    "two windows of about 3 s: " + took);
            assertNothingLeftBy(action);
        }
    }

    @Test
    void aSlowButSteadySourceAboveTheMinimumRateIsImported() throws Exception {
        byte[] data = random(48 * 1024, 25);
        // 2 KiB every 100 ms, about 20 KiB/s, for 2.4 s against 1 KiB/s over windows of 1 s
        try (FaultServer server = new FaultServer(FaultServer.trickle(data, 2048, Duration.ofMillis(100)))) {
            ImportImage action = action("steady", server.uri("/disk.raw").toString(), "sha256:" + TestImages.sha256(new ByteArrayInputStream(data)));

            ImportCompleted done = assertInstanceOf(ImportCompleted.class, importer(settings -> {
                settings.attempts = 1;
                settings.sourceIdleTimeout = Duration.ofSeconds(1);
                settings.sourceMinimumRate = 1024;
            }).importImage(action));

            assertEquals(data.length, done.bytes());
            assertEquals(1, server.requests.size());
        }
    }

    // --- 3. HTTP statuses and wrong lengths -------------------------------------------------------------------------

    @Test
    void http500IsRetriedUpToTheAttemptsThenFailsWithItsStatus() throws Exception {
        try (FaultServer server = new FaultServer(FaultServer.status(500))) {
            ImportImage action = action("500", server.uri("/disk.raw").toString(), "sha256:" + "a".repeat(64));

            ImportFailed failed = failed(importer(settings -> settings.attempts = 3).importImage(action));

            assertEquals(FailureReason.SOURCE_HTTP_STATUS, failed.reason(), failed.toString());
            assertEquals("500", failed.actual());
            assertEquals("GET " + action.url() + " answered HTTP 500: given up after 3 attempts", failed.message());
            assertEquals(3, server.requests.size(), server.requests.toString());
            assertNothingLeftBy(action);
        }
    }

    @Test
    void http500ThenTheFileCompletesOnTheNextAttempt() throws Exception {
        byte[] data = random(2 * MIB, 26);
        FaultServer.Answer full = FaultServer.body(data, data.length, data.length);
        try (FaultServer server = new FaultServer((out, number) -> (number == 1 ? FaultServer.status(500) : full).write(out, number))) {
            ImportImage action = action("500-then-ok", server.uri("/disk.raw").toString(), "sha256:" + TestImages.sha256(new ByteArrayInputStream(data)));

            ImportCompleted done = assertInstanceOf(ImportCompleted.class, importer(settings -> settings.attempts = 3).importImage(action));

            assertEquals(2, server.requests.size());
            assertEquals(data.length, done.bytes());
            assertCurrentImageUntouched(2);
        }
    }

    @Test
    void http404FailsAtOnceWithItsStatus() throws Exception {
        try (FaultServer server = new FaultServer(FaultServer.status(404))) {
            ImportImage action = action("404", server.uri("/disk.raw").toString(), "sha256:" + "a".repeat(64));

            ImportFailed failed = failed(importer(settings -> settings.attempts = 3).importImage(action));

            assertEquals(FailureReason.SOURCE_HTTP_STATUS, failed.reason(), failed.toString());
            assertEquals("404", failed.actual());
            assertEquals("GET " + action.url() + " answered HTTP 404", failed.message());
            assertEquals(1, server.requests.size(), "a 404 is not retried: " + server.requests);
            assertNothingLeftBy(action);
        }
    }

    @Test
    void aBodyShorterThanItsContentLengthSaysHowFarItGot() throws Exception {
        byte[] data = random(MIB, 27);
        try (FaultServer server = new FaultServer(FaultServer.body(data, data.length, 400_000))) {
            ImportImage action = action("short-body", server.uri("/disk.raw").toString(), "sha256:" + TestImages.sha256(new ByteArrayInputStream(data)));

            ImportFailed failed = failed(importer(settings -> settings.attempts = 2).importImage(action));

            assertEquals(FailureReason.SOURCE_INTERRUPTED, failed.reason(), failed.toString());
            assertEquals("GET " + action.url() + ": the source ended after 400000 of " + MIB + " bytes and cannot be resumed"
                    + " (the server sent no ETag or Last-Modified to resume it safely): given up after 2 attempts", failed.message());
            assertEquals(2, server.requests.size(), server.requests.toString());
            assertNothingLeftBy(action);
        }
    }

    @Test
    void aContentLengthShorterThanTheFileFailsOnTheDigestOfWhatWasRead() throws Exception {
        byte[] data = random(MIB, 28);
        int announced = MIB / 2;
        String whole = TestImages.sha256(new ByteArrayInputStream(data));
        String firstHalf = TestImages.sha256(new ByteArrayInputStream(Arrays.copyOf(data, announced)));
        try (FaultServer server = new FaultServer(FaultServer.body(data, announced, data.length))) {
            ImportImage action = action("short-length", server.uri("/disk.raw").toString(), "sha256:" + whole);

            ImportFailed failed = failed(importer(settings -> settings.attempts = 3).importImage(action));

            assertEquals(FailureReason.CHECKSUM_MISMATCH, failed.reason(), failed.toString());
            assertEquals("sha256:" + whole, failed.expected());
            assertEquals("sha256:" + firstHalf, failed.actual(), "the digest of the bytes the Content-Length let through");
            assertEquals("checksum mismatch: expected sha256:" + whole + ", got sha256:" + firstHalf + " for the " + announced
                    + " bytes read from " + action.url(), failed.message());
            assertEquals(1, server.requests.size(), "a wrong digest is not retried: " + server.requests);
            assertNothingLeftBy(action);
        }
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    /** No image of the import (its id or its name, any status) is in Glance, and the current image is as it was. */
    private void assertNothingLeftBy(ImportImage action) {
        List<ObservedImage> tagged = glance.listImages(tag);
        assertTrue(tagged.stream().noneMatch(image -> action.actionId().equals(image.property(ImageProperties.IMPORT_ID))),
                "no image of import " + action.actionId() + ": " + tagged);
        assertEquals(List.of(), glance.listImagesNamed(action.imageName()), "no image named " + action.imageName());
        assertCurrentImageUntouched(1);
    }

    /** The current image is unchanged, and the family holds {@code images} images in all (1: nothing new). */
    private void assertCurrentImageUntouched(int images) {
        ObservedImage now = glance.get(current.id()).orElseThrow();
        assertEquals(current.name(), now.name());
        assertEquals(current.status(), now.status());
        assertEquals(current.visibility(), now.visibility());
        assertEquals(current.properties(), now.properties());
        List<ObservedImage> tagged = glance.listImages(tag);
        assertEquals(images, tagged.size(), "images in Glance: " + tagged);
        assertTrue(tagged.stream().anyMatch(image -> image.id().equals(current.id())));
    }

    private static ImportFailed failed(ImageEvent outcome) {
        return assertInstanceOf(ImportFailed.class, outcome);
    }

    private static void assertMatches(String regex, String actual) {
        assertTrue(Pattern.compile(regex).matcher(actual).matches(), "expected to match\n  " + regex + "\nbut was\n  " + actual);
    }

    private ImportService importer(Consumer<ImportSettings> tweak) {
        ImportSettings settings = new ImportSettings();
        settings.method = "upload";
        settings.backoff = Duration.ofMillis(100);
        settings.pollInterval = Duration.ofMillis(200);
        settings.queuedTimeout = Duration.ofSeconds(30);
        settings.attemptTimeout = Duration.ofMinutes(1);
        settings.sourceIdleTimeout = Duration.ofSeconds(10);
        tweak.accept(settings);
        return new ImportService(clouds, publisher, settings);
    }

    private ImportImage action(String suffix, String url, String checksum) {
        return new ImportImage("f-" + id + "-" + suffix, DevCloud.ADMIN_CLOUD, "Faults " + id, "1", "Faults " + id + " " + suffix,
                url, null, checksum, null, null, "raw", 1, 64,
                Map.of(ImageProperties.FAMILY, "Faults " + id, ImageProperties.INTERNAL_VERSION, "1"), List.of(tag), null);
    }

    private static byte[] random(int length, long seed) {
        byte[] data = new byte[length];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }
}

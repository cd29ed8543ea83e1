package org.imagemanager.importer;

import com.sun.net.httpserver.HttpServer;
import org.imagemanager.cloud.Clouds;
import org.imagemanager.event.FailureReason;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.ImportCompleted;
import org.imagemanager.event.ImportFailed;
import org.imagemanager.event.ImportImage;
import org.imagemanager.glance.Glance;
import org.imagemanager.kafka.EventPublisher;
import org.imagemanager.kafka.EventRecords;
import org.imagemanager.kafka.TopicNames;
import org.imagemanager.kafka.TopicsInitializer;
import org.imagemanager.plan.ImageProperties;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.testsupport.DevCloud;
import org.imagemanager.testsupport.FileServer;
import org.imagemanager.testsupport.SharedKafka;
import org.imagemanager.testsupport.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The importer against the real local Glance: every way into Glance, and failures that leave nothing behind. */
class ImportServiceIT {
    @TempDir
    Path files;
    FileServer server;
    Glance glance;
    Clouds clouds;
    EventPublisher publisher;
    final String id = UUID.randomUUID().toString().substring(0, 8);
    final String tag = "im-import-" + id;
    String sha;
    /** The family's current image: every failed import must leave it exactly as it was. */
    ObservedImage current;

    @BeforeEach
    void setUp() throws Exception {
        sha = TestImages.sha256(TestImages.qcow2(files, "disk.qcow2", 16));
        Files.writeString(files.resolve("SHA256SUMS"), "0".repeat(64) + "  disk.qcow2\n" + "1".repeat(64) + "  other.img\n");
        server = FileServer.serve(files);
        clouds = new Clouds(DevCloud.cloudsFile().toString());
        glance = clouds.glance(DevCloud.ADMIN_CLOUD);
        TopicNames topics = new TopicNames("id-" + id, "ia-" + id, "ie-" + id);
        TopicsInitializer.ensure(SharedKafka.bootstrapServers(), topics, 1, (short) 1);
        publisher = new EventPublisher(SharedKafka.bootstrapServers(), new EventRecords(topics, "test"));
        String currentId = glance.create(new org.imagemanager.glance.NewImage(null, "Fam " + id, "raw", 1, 64,
                Map.of(ImageProperties.FAMILY, "Fam " + id, ImageProperties.INTERNAL_VERSION, "0"), List.of(tag)));
        glance.upload(currentId, new java.io.ByteArrayInputStream(new byte[1024]));
        current = glance.get(currentId).orElseThrow();
    }

    private void assertCurrentImageUntouched() {
        ObservedImage now = glance.get(current.id()).orElseThrow();
        assertEquals(current.name(), now.name());
        assertEquals(current.status(), now.status());
        assertEquals(current.visibility(), now.visibility());
        assertEquals(current.properties(), now.properties());
        assertEquals(List.of(current.id()), glance.listImages(tag).stream().map(ObservedImage::id).toList(),
                "nothing but the current image in Glance");
    }

    @AfterEach
    void tearDown() {
        server.close();
        glance.listImages(tag).forEach(image -> glance.delete(image.id()));
        publisher.close();
    }

    @Test
    void plainUploadStoresTheVerifiedBytes() throws Exception {
        ImportCompleted done = assertInstanceOf(ImportCompleted.class, importer("upload").importImage(action("up", server.url("disk.qcow2"), null, "sha256:" + sha)));

        ObservedImage image = glance.get(done.imageId()).orElseThrow();
        assertEquals("active", image.status());
        assertEquals("qcow2", image.diskFormat());
        assertEquals("upload", done.method());
        assertEquals(done.sha512(), image.property("os_hash_value"));
        try (InputStream bytes = glance.download(done.imageId())) {
            assertEquals(sha, TestImages.sha256(bytes));
        }
    }

    /**
     * Glance marks an upload whose connection just ends (an importer killed mid-stream) as active, with the bytes it
     * got. Such an image still carries the pending mark: a replay must not take it as done.
     */
    @Test
    void aReplayReplacesAnActiveButUnverifiedImageLeftByAKilledImporter() throws Exception {
        ImportImage action = action("killed", server.url("disk.qcow2"), null, "sha256:" + sha);
        Map<String, String> properties = new java.util.HashMap<>(action.properties());
        properties.put(ImageProperties.IMPORT_ID, action.actionId());
        properties.put(ImageProperties.PENDING, "true");
        String truncated = glance.create(new org.imagemanager.glance.NewImage(null, action.imageName(), "qcow2", 1, 64,
                properties, action.tags()));
        glance.upload(truncated, new java.io.ByteArrayInputStream(new byte[4096])); // Glance calls it active
        assertEquals("active", glance.get(truncated).orElseThrow().status());

        ImportCompleted done = assertInstanceOf(ImportCompleted.class, importer("upload").importImage(action));

        assertTrue(!done.alreadyPresent() && !done.imageId().equals(truncated), done.toString());
        assertTrue(glance.get(truncated).isEmpty(), "the unverified image was removed");
        ObservedImage image = glance.get(done.imageId()).orElseThrow();
        assertEquals(null, image.property(ImageProperties.PENDING), "the new one is marked verified");
        try (InputStream bytes = glance.download(done.imageId())) {
            assertEquals(sha, TestImages.sha256(bytes));
        }
    }

    @Test
    void glanceDirectStagesTheStreamAndLetsGlanceConvertToRaw() {
        ImportCompleted done = assertInstanceOf(ImportCompleted.class, importer("glance-direct").importImage(action("gd", server.url("disk.qcow2"), null, "sha256:" + sha)));

        ObservedImage image = glance.get(done.imageId()).orElseThrow();
        assertEquals("active", image.status());
        assertEquals("glance-direct", done.method());
        assertEquals("raw", image.diskFormat(), "the dev cloud converts imports to raw");
        assertEquals(16L << 20, image.sizeBytes());
    }

    @Test
    void webDownloadLetsGlanceFetchAndStillVerifiesTheSource() {
        ImportCompleted done = assertInstanceOf(ImportCompleted.class, importer("web-download").importImage(action("wd", server.url("disk.qcow2"), null, "sha256:" + sha)));

        ObservedImage image = glance.get(done.imageId()).orElseThrow();
        assertEquals("active", image.status());
        assertEquals("web-download", done.method());
        assertEquals("sha256:" + sha, done.checksum());
    }

    @Test
    void aWebDownloadThatGlanceCannotFetchFailsAtOnceAndLeavesTheCurrentImageAlone() throws Exception {
        byte[] disk = Files.readAllBytes(files.resolve("disk.qcow2"));
        HttpServer picky = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        picky.createContext("/", exchange -> {
            try (exchange) {
                String agent = String.valueOf(exchange.getRequestHeaders().getFirst("User-Agent"));
                if (agent.startsWith("Java")) { // our importer gets the file; Glance (Python) does not
                    exchange.sendResponseHeaders(200, disk.length);
                    exchange.getResponseBody().write(disk);
                } else {
                    exchange.sendResponseHeaders(404, -1);
                }
            }
        });
        picky.start();
        try {
            ImportSettings settings = settings("web-download");
            settings.attempts = 1;
            String url = "http://127.0.0.1:" + picky.getAddress().getPort() + "/disk.qcow2";
            ImportFailed failed = assertInstanceOf(ImportFailed.class,
                    new ImportService(clouds, publisher, settings).importImage(action("picky", url, null, "sha256:" + sha)));

            assertEquals(FailureReason.GLANCE_REJECTED, failed.reason(), failed.toString());
            assertCurrentImageUntouched();
        } finally {
            picky.stop(0);
        }
    }

    @Test
    void aWrongDigestFromTheChecksumsFileFailsAndLeavesNoImage() {
        ImportImage action = new ImportImage("a-" + id + "-sums", DevCloud.ADMIN_CLOUD, "Fam " + id, "1", "Fam " + id + " sums",
                server.url("disk.qcow2"), null, null, null, server.url("SHA256SUMS"), "qcow2", 1, 64, properties(), List.of(tag), null);

        ImportFailed failed = assertInstanceOf(ImportFailed.class, importer("upload").importImage(action));

        assertEquals(FailureReason.CHECKSUM_MISMATCH, failed.reason());
        assertEquals("sha256:" + "0".repeat(64), failed.expected());
        assertEquals("sha256:" + sha, failed.actual());
        assertCurrentImageUntouched();
    }

    @Test
    void aMissingSourceFailsWithItsHttpStatusWithoutRetryingOrLeavingAnImage() {
        ImportFailed failed = assertInstanceOf(ImportFailed.class,
                importer("upload").importImage(action("404", server.url("nope.qcow2"), null, "sha256:" + sha)));

        assertEquals(FailureReason.SOURCE_HTTP_STATUS, failed.reason());
        assertTrue(failed.message().contains("404"), failed.message());
        assertCurrentImageUntouched();
    }

    @Test
    void aFailingMirrorFallsBackToTheUpstreamUrl() {
        ImportCompleted done = assertInstanceOf(ImportCompleted.class, importer("upload").importImage(
                action("mirror", server.url("disk.qcow2"), server.url("mirror/missing.qcow2"), "sha256:" + sha)));

        assertEquals(server.url("disk.qcow2"), done.source());
    }

    @Test
    void anImportThatHangsIsAbandonedWithTimeoutAndRemoved() throws Exception {
        HttpServer hanging = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hanging.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 1L << 30);
            try {
                Thread.sleep(60_000); // headers, then nothing: a source that never ends
            } catch (InterruptedException ignored) {
                // stopped
            }
            exchange.close();
        });
        hanging.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        hanging.start();
        try {
            ImportSettings settings = settings("web-download");
            settings.attemptTimeout = Duration.ofSeconds(20);
            settings.sourceIdleTimeout = Duration.ofSeconds(3);
            settings.attempts = 1;
            String url = "http://127.0.0.1:" + hanging.getAddress().getPort() + "/slow.qcow2";
            ImageEvent outcome = new ImportService(clouds, publisher, settings).importImage(
                    action("hang", url, null, "sha256:" + sha));
            ImportFailed failed = assertInstanceOf(ImportFailed.class, outcome);
            assertTrue(List.of(FailureReason.TIMEOUT, FailureReason.SOURCE_UNREACHABLE, FailureReason.GLANCE_STUCK).contains(failed.reason()), failed.toString());
            assertCurrentImageUntouched(); // and no half-made image
        } finally {
            hanging.stop(0);
        }
    }

    private ImportService importer(String method) {
        return new ImportService(clouds, publisher, settings(method));
    }

    private static ImportSettings settings(String method) {
        ImportSettings settings = new ImportSettings();
        settings.method = method;
        settings.backoff = Duration.ofMillis(100);
        settings.pollInterval = Duration.ofMillis(200);
        settings.queuedTimeout = Duration.ofSeconds(30);
        settings.attemptTimeout = Duration.ofMinutes(2);
        return settings;
    }

    private ImportImage action(String suffix, String url, String mirrorUrl, String checksum) {
        return new ImportImage("a-" + id + "-" + suffix, DevCloud.ADMIN_CLOUD, "Fam " + id, "1", "Fam " + id + " " + suffix,
                url, mirrorUrl, checksum, null, null, "qcow2", 1, 64, properties(), List.of(tag), null);
    }

    private Map<String, String> properties() {
        return Map.of(ImageProperties.FAMILY, "Fam " + id, ImageProperties.INTERNAL_VERSION, "1");
    }
}

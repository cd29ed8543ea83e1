package org.imagemanager.importer.stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.imagemanager.cloud.Clouds;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.ImportCompleted;
import org.imagemanager.event.ImportImage;
import org.imagemanager.glance.Glance;
import org.imagemanager.importer.ImportService;
import org.imagemanager.importer.ImportSettings;
import org.imagemanager.importer.mirror.S3Mirror;
import org.imagemanager.importer.mirror.S3MirrorConfig;
import org.imagemanager.kafka.EventPublisher;
import org.imagemanager.kafka.EventRecords;
import org.imagemanager.kafka.TopicNames;
import org.imagemanager.kafka.TopicsInitializer;
import org.imagemanager.observability.Metrics;
import org.imagemanager.plan.ImageProperties;
import org.imagemanager.testsupport.DevCloud;
import org.imagemanager.testsupport.S3TestBucket;
import org.imagemanager.testsupport.SharedKafka;
import org.imagemanager.testsupport.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The importer's source side against the real Glance (and the real S3 server): compressed sources decompressed on
 * the fly, a dropped connection resumed with a Range request, and one upstream download feeding two clouds through
 * the S3 mirror.
 */
class ImportStreamsIT {
    @TempDir
    Path files;
    @RegisterExtension
    final S3TestBucket bucket = new S3TestBucket();

    final String id = UUID.randomUUID().toString().substring(0, 8);
    final String tag = "im-streams-" + id;
    Clouds clouds;
    EventPublisher publisher;

    @BeforeEach
    void setUp() {
        clouds = new Clouds(DevCloud.cloudsFile().toString());
        TopicNames topics = new TopicNames("sd-" + id, "sa-" + id, "se-" + id);
        TopicsInitializer.ensure(SharedKafka.bootstrapServers(), topics, 1, (short) 1);
        publisher = new EventPublisher(SharedKafka.bootstrapServers(), new EventRecords(topics, "test"));
    }

    @AfterEach
    void tearDown() {
        for (String cloud : List.of(DevCloud.ADMIN_CLOUD, DevCloud.DEMO_CLOUD)) {
            Glance glance = clouds.glance(cloud);
            glance.listImages(tag).forEach(image -> glance.delete(image.id()));
        }
        publisher.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"xz", "gz", "bz2", "zst", "tar.gz"})
    void aCompressedSourceIsVerifiedOnItsBytesAndStoredDecompressed(String suffix) throws Exception {
        Path disk = TestImages.qcow2(files, "disk.qcow2", 24);
        String diskSha = TestImages.sha256(disk);
        byte[] compressed = compress(disk, suffix);
        String compressedSha = TestImages.sha256(new java.io.ByteArrayInputStream(compressed));
        try (RangeServer server = new RangeServer(RangeServer.bytes(compressed))) {
            ImportCompleted done = assertInstanceOf(ImportCompleted.class, importer(null).importImage(
                    action(suffix.replace('.', '-'), server.uri("/files/disk.qcow2." + suffix).toString(), "sha256:" + compressedSha)));

            Glance glance = clouds.glance(DevCloud.ADMIN_CLOUD);
            assertEquals("active", glance.get(done.imageId()).orElseThrow().status());
            assertEquals(Files.size(disk), done.bytes());
            try (InputStream stored = glance.download(done.imageId())) {
                assertEquals(diskSha, TestImages.sha256(stored), "Glance holds the decompressed image");
            }
        }
    }

    @Test
    void aDroppedConnectionIsResumedWithOneRangeRequest() throws Exception {
        RangeServer.Content content = RangeServer.generated(24L << 20, 7);
        try (RangeServer server = new RangeServer(content)) {
            server.dropsAt.add(11L << 20);
            ImportCompleted done = assertInstanceOf(ImportCompleted.class, importer(null).importImage(
                    action("resume", server.uri("/files/disk.raw").toString(), "sha256:" + content.sha256())));

            assertEquals(1, server.rangeRequests().size(), "one resumed request: " + server.requests);
            try (InputStream stored = clouds.glance(DevCloud.ADMIN_CLOUD).download(done.imageId())) {
                assertEquals(content.sha256(), TestImages.sha256(stored));
            }
        }
    }

    @Test
    void aSourceWithoutRangesStartsOverAndCompletes() throws Exception {
        RangeServer.Content content = RangeServer.generated(12L << 20, 9);
        try (RangeServer server = new RangeServer(content)) {
            server.advertiseRanges = false;
            server.honourRanges = false;
            server.dropsAt.add(5L << 20);
            ImportCompleted done = assertInstanceOf(ImportCompleted.class, importer(null).importImage(
                    action("restart", server.uri("/files/disk.raw").toString(), "sha256:" + content.sha256())));

            // a resume was tried and refused (the server answered with the whole file): the import started over
            assertEquals(2, server.requests.stream().filter(r -> r.range() == null).count(), "the whole file twice: " + server.requests);
            assertEquals(12L << 20, done.bytes());
        }
    }

    @Test
    void oneUpstreamDownloadFeedsTwoCloudsThroughTheVerifiedS3Mirror() throws Exception {
        RangeServer.Content content = RangeServer.generated(20L << 20, 11);
        var s3 = bucket.server();
        try (RangeServer server = new RangeServer(content);
             S3Mirror mirror = new S3Mirror(new S3MirrorConfig(s3.endpoint(), s3.region(), bucket.name(), s3.accessKey(),
                     s3.secretKey(), "images"))) {
            ImportImage first = action("mirror", server.uri("/files/disk.raw").toString(), "sha256:" + content.sha256());
            ImportImage second = new ImportImage(first.actionId() + "-demo", DevCloud.DEMO_CLOUD, first.family(), first.version(),
                    first.imageName(), first.url(), null, first.checksum(), null, null, first.diskFormat(), 1, 64,
                    first.properties(), first.tags(), null);

            ImportCompleted inAdmin = assertInstanceOf(ImportCompleted.class, importer(mirror).importImage(first));
            ImportCompleted inDemo = assertInstanceOf(ImportCompleted.class, importer(mirror).importImage(second));

            assertEquals(first.url(), inAdmin.source());
            assertTrue(inDemo.source().startsWith("s3://" + bucket.name() + "/"), inDemo.source());
            assertEquals(1, server.requests.size(), "upstream was read once: " + server.requests);
            try (InputStream stored = clouds.glance(DevCloud.DEMO_CLOUD).download(inDemo.imageId())) {
                assertEquals(content.sha256(), TestImages.sha256(stored));
            }
        }
    }

    @Test
    void aCompressedSourceIsAlsoDownloadedOnceForTwoClouds() throws Exception {
        Path disk = TestImages.qcow2(files, "disk.qcow2", 24);
        String diskSha = TestImages.sha256(disk);
        byte[] compressed = compress(disk, "xz");
        String compressedSha = TestImages.sha256(new java.io.ByteArrayInputStream(compressed));
        var s3 = bucket.server();
        try (RangeServer server = new RangeServer(RangeServer.bytes(compressed));
             S3Mirror mirror = new S3Mirror(new S3MirrorConfig(s3.endpoint(), s3.region(), bucket.name(), s3.accessKey(),
                     s3.secretKey(), "images"))) {
            ImportImage first = action("xz-mirror", server.uri("/files/disk.qcow2.xz").toString(), "sha256:" + compressedSha);
            ImportImage second = new ImportImage(first.actionId() + "-demo", DevCloud.DEMO_CLOUD, first.family(), first.version(),
                    first.imageName(), first.url(), null, first.checksum(), null, null, first.diskFormat(), 1, 64,
                    first.properties(), first.tags(), null);

            assertInstanceOf(ImportCompleted.class, importer(mirror).importImage(first));
            ImportCompleted inDemo = assertInstanceOf(ImportCompleted.class, importer(mirror).importImage(second));

            assertTrue(inDemo.source().startsWith("s3://"), inDemo.source());
            assertEquals(1, server.requests.size(), "upstream was read once: " + server.requests);
            try (InputStream stored = clouds.glance(DevCloud.DEMO_CLOUD).download(inDemo.imageId())) {
                assertEquals(diskSha, TestImages.sha256(stored), "the second cloud got the decompressed image");
            }
        }
    }

    private ImportService importer(S3Mirror mirror) {
        ImportSettings settings = new ImportSettings();
        settings.backoff = Duration.ofMillis(100);
        settings.pollInterval = Duration.ofMillis(200);
        return new ImportService(clouds, publisher, settings, mirror, Metrics.detached());
    }

    private ImportImage action(String suffix, String url, String checksum) {
        return new ImportImage("s-" + id + "-" + suffix, DevCloud.ADMIN_CLOUD, "Streams " + id, "1",
                "Streams " + id + " " + suffix, url, null, checksum, null, null, url.contains("qcow2") ? "qcow2" : "raw", 1, 64,
                Map.of(ImageProperties.FAMILY, "Streams " + id, ImageProperties.INTERNAL_VERSION, "1"), List.of(tag), null);
    }

    private static byte[] compress(Path file, String suffix) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        switch (suffix) {
            case "xz" -> copy(file, new XZCompressorOutputStream(bytes));
            case "gz" -> copy(file, new GzipCompressorOutputStream(bytes));
            case "bz2" -> copy(file, new org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream(bytes));
            case "zst" -> copy(file, new ZstdCompressorOutputStream(bytes));
            case "tar.gz" -> {
                try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
                    TarArchiveEntry readme = new TarArchiveEntry("README");
                    byte[] text = "an image".getBytes();
                    readme.setSize(text.length);
                    tar.putArchiveEntry(readme);
                    tar.write(text);
                    tar.closeArchiveEntry();
                    TarArchiveEntry disk = new TarArchiveEntry(file.toFile(), "disk.qcow2");
                    tar.putArchiveEntry(disk);
                    Files.copy(file, tar);
                    tar.closeArchiveEntry();
                }
            }
            default -> throw new IllegalArgumentException(suffix);
        }
        return bytes.toByteArray();
    }

    private static void copy(Path file, OutputStream out) throws Exception {
        try (out) {
            Files.copy(file, out);
        }
    }
}

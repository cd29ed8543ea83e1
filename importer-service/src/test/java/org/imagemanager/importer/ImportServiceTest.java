package org.imagemanager.importer;

import org.imagemanager.claim.FamilyClaims;
import org.imagemanager.cloud.Clouds;
import org.imagemanager.event.FailureReason;
import org.imagemanager.event.ImportCompleted;
import org.imagemanager.event.ImportFailed;
import org.imagemanager.event.ImportImage;
import org.imagemanager.event.LeftAlone;
import org.imagemanager.glance.NewImage;
import org.imagemanager.observability.Metrics;
import org.imagemanager.plan.ImageProperties;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.testsupport.InMemoryGlance;
import org.imagemanager.testsupport.RecordingPublisher;
import org.imagemanager.testsupport.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The importer's rules, fast, against the in-memory Glance (every way into the real Glance: ImportServiceIT). */
class ImportServiceTest {
    private static final String CLOUD = "memory";
    @TempDir
    Path files;
    private final InMemoryGlance glance = new InMemoryGlance(CLOUD);
    private final RecordingPublisher publisher = new RecordingPublisher();
    private final FamilyClaims ours = new FamilyClaims(() -> "pipeline ours", Duration.ofMinutes(1), Clock.systemUTC());
    private ImportService importer;
    private String url;
    private String sha256;

    @BeforeEach
    void setUp() throws Exception {
        byte[] bytes = new byte[256 * 1024];
        new Random(7).nextBytes(bytes);
        Path disk = Files.write(files.resolve("disk.raw"), bytes);
        url = disk.toUri().toString();
        sha256 = TestImages.sha256(disk);
        ImportSettings settings = new ImportSettings();
        settings.attempts = 1;
        importer = new ImportService(new Clouds(name -> glance), publisher, settings, null,
                Metrics.detached(), ours);
    }

    @AfterEach
    void tearDown() {
        ours.close();
        publisher.close();
    }

    private ImportImage action(String checksum) {
        return new ImportImage("import-1", CLOUD, "Fam", "1.0", "Fam 1.0", url, null, checksum, null, null, "raw", 1, 64,
                Map.of(ImageProperties.FAMILY, "Fam", ImageProperties.INTERNAL_VERSION, "1.0"), List.of("managed"), null);
    }

    private List<ObservedImage> managed() {
        return glance.listImages("managed");
    }

    @Test
    void importsTheVerifiedBytesAndMarksTheImageDoneOnlyThen() {
        ImportCompleted done = assertInstanceOf(ImportCompleted.class, importer.importImage(action("sha256:" + sha256)));

        ObservedImage image = glance.get(done.imageId()).orElseThrow();
        assertEquals("active", image.status());
        assertEquals("Fam 1.0", image.name());
        assertEquals(256 * 1024L, image.sizeBytes());
        assertTrue(ImageProperties.verifiedAndUsable(image), "no pending mark left: " + image.properties());
        assertEquals("import-1", image.property(ImageProperties.IMPORT_ID));
        assertEquals(List.of(done), publisher.published(ImportCompleted.class));
    }

    @Test
    void aReplayFindsTheFinishedImageAndImportsNothing() {
        ImportCompleted first = assertInstanceOf(ImportCompleted.class, importer.importImage(action("sha256:" + sha256)));
        ImportCompleted again = assertInstanceOf(ImportCompleted.class, importer.importImage(action("sha256:" + sha256)));

        assertTrue(again.alreadyPresent());
        assertEquals(first.imageId(), again.imageId());
        assertEquals(1, managed().size());
    }

    @Test
    void aChecksumMismatchLeavesNoImage() {
        ImportFailed failed = assertInstanceOf(ImportFailed.class, importer.importImage(action("sha256:" + "0".repeat(64))));

        assertEquals(FailureReason.CHECKSUM_MISMATCH, failed.reason());
        assertEquals("sha256:" + sha256, failed.actual());
        assertEquals(List.of(), managed());
    }

    @Test
    void aNameHeldByAnotherImageIsNeverTakenTwice() {
        String holder = glance.create(new NewImage(null, "Fam 1.0", "raw", 0, 0, Map.of(), List.of()));

        ImportFailed failed = assertInstanceOf(ImportFailed.class, importer.importImage(action("sha256:" + sha256)));

        assertEquals(FailureReason.NAME_TAKEN, failed.reason());
        assertEquals(List.of(holder), glance.listImagesNamed("Fam 1.0").stream().map(ObservedImage::id).toList());
    }

    @Test
    void anotherRunsLiveClaimLeavesTheFamilyAloneAndCreatesNothing() throws Exception {
        FamilyClaims other = new FamilyClaims(() -> "pipeline other", Duration.ofMinutes(1), Clock.systemUTC());
        try (FamilyClaims.Hold ignored = other.hold(glance, "Fam")) {
            LeftAlone left = assertInstanceOf(LeftAlone.class, importer.importImage(action("sha256:" + sha256)));

            assertEquals("pipeline other", left.holder());
            assertEquals(List.of(), managed());
        } finally {
            other.close();
        }
        assertInstanceOf(ImportCompleted.class, importer.importImage(action("sha256:" + sha256)), "released: ours now");
    }
}

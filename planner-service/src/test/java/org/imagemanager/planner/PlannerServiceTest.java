package org.imagemanager.planner;

import org.imagemanager.claim.FamilyClaims;
import org.imagemanager.cloud.Clouds;
import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.definition.VersionDefinition;
import org.imagemanager.event.DeleteImage;
import org.imagemanager.event.ImportImage;
import org.imagemanager.event.PlanComputed;
import org.imagemanager.glance.NewImage;
import org.imagemanager.observability.Metrics;
import org.imagemanager.plan.ImageProperties;
import org.imagemanager.source.SourceFetcher;
import org.imagemanager.source.UpstreamResolver;
import org.imagemanager.testsupport.InMemoryGlance;
import org.imagemanager.testsupport.RecordingPublisher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The planner service against the in-memory Glance: what it publishes for what the cloud holds and who claims it. */
class PlannerServiceTest {
    private static final String CLOUD = "memory";
    private final InMemoryGlance glance = new InMemoryGlance(CLOUD);
    private final RecordingPublisher publisher = new RecordingPublisher();
    private final FamilyClaims ours = new FamilyClaims(() -> "pipeline ours", Duration.ofMinutes(1), Clock.systemUTC());
    private final PlannerService planner = new PlannerService(new Clouds(name -> glance), publisher,
            new PlannerSettings(CLOUD, "managed", new PlannerSettings.Options(), key -> Optional.empty(), null),
            new UpstreamResolver(new SourceFetcher(), Duration.ofSeconds(60)), Metrics.detached(), ours);

    @AfterEach
    void tearDown() {
        ours.close();
        publisher.close();
    }

    private static ImageDefinition ubuntu() {
        VersionDefinition v = new VersionDefinition("1", "http://127.0.0.1:9/1.img", null, "sha256:" + "a".repeat(64), null,
                null, null, null, null, null, null, null, null, null);
        return new ImageDefinition("Ubuntu", null, "qcow2", "ubuntu", null, 1, 64, "active", "private",
                false, null, null, null, null, null, List.of(), Map.of("os_distro", "ubuntu"), List.of(v));
    }

    private void definitionsRead() {
        planner.partitionsAssigned(Set.of(0), 1); // this instance plans every family
        planner.definitionChanged(ubuntu());
        planner.definitionsApplied(Set.of("Ubuntu"), true);
    }

    @Test
    void plansTheImportOfAMissingVersion() {
        definitionsRead();

        assertEquals(List.of("Ubuntu 1"), publisher.published(ImportImage.class).stream().map(ImportImage::imageName).toList());
        PlanComputed plan = publisher.published(PlanComputed.class).getLast();
        assertEquals(1, plan.actions().size());
        assertNull(plan.leftAlone());
    }

    @Test
    void leavesAFamilyAnotherRunHoldsAloneAndSaysWhy() throws Exception {
        FamilyClaims other = new FamilyClaims(() -> "pipeline other", Duration.ofMinutes(1), Clock.systemUTC());
        try (FamilyClaims.Hold ignored = other.hold(glance, "Ubuntu")) {
            definitionsRead();
        } finally {
            other.close();
        }

        assertEquals(List.of(), publisher.published(ImportImage.class));
        PlanComputed plan = publisher.published(PlanComputed.class).getLast();
        assertTrue(plan.leftAlone() != null && plan.leftAlone().contains("pipeline other"), String.valueOf(plan.leftAlone()));
        assertEquals(List.of(), plan.actions());
    }

    @Test
    void aRunningImportOfAFamilyNobodyClaimsIsTheRemainOfADeadRunAndIsRedone() {
        String halfDone = glance.create(new NewImage(null, "Ubuntu 1", "qcow2", 1, 64,
                Map.of(ImageProperties.FAMILY, "Ubuntu", ImageProperties.INTERNAL_VERSION, "1", ImageProperties.PENDING, "true"),
                List.of("managed")));

        definitionsRead();

        assertEquals(List.of(halfDone), publisher.published(DeleteImage.class).stream().map(DeleteImage::imageId).toList());
        assertEquals(1, publisher.published(ImportImage.class).size());
    }

    @Test
    void aRunningImportUnderThisPipelinesClaimIsWaitedFor() throws Exception {
        glance.create(new NewImage(null, "Ubuntu 1", "qcow2", 1, 64,
                Map.of(ImageProperties.FAMILY, "Ubuntu", ImageProperties.INTERNAL_VERSION, "1", ImageProperties.PENDING, "true"),
                List.of("managed")));
        try (FamilyClaims.Hold ignored = ours.hold(glance, "Ubuntu")) {
            definitionsRead();
        }

        assertEquals(List.of(), publisher.published(DeleteImage.class));
        assertEquals(List.of(), publisher.published(ImportImage.class));
        assertEquals(List.of("Ubuntu 1"), publisher.published(PlanComputed.class).getLast().inProgress());
    }
}

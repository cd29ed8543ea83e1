package org.imagemanager.rotator;

import org.imagemanager.claim.FamilyClaims;
import org.imagemanager.cloud.Clouds;
import org.imagemanager.event.ActionFailed;
import org.imagemanager.event.ActionSkipped;
import org.imagemanager.event.ImageChanged;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.LeftAlone;
import org.imagemanager.event.RenameImage;
import org.imagemanager.event.SetVisibility;
import org.imagemanager.glance.NewImage;
import org.imagemanager.observability.Metrics;
import org.imagemanager.plan.ImageProperties;
import org.imagemanager.testsupport.InMemoryGlance;
import org.imagemanager.testsupport.RecordingPublisher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rotator's rules, fast, against the in-memory Glance (its behaviour against the real one: RotatorServiceIT). */
class RotatorServiceTest {
    private static final String CLOUD = "memory";
    private final InMemoryGlance glance = new InMemoryGlance(CLOUD);
    private final RecordingPublisher publisher = new RecordingPublisher();
    private final FamilyClaims ours = new FamilyClaims(() -> "pipeline ours", Duration.ofMinutes(1), Clock.systemUTC());
    private final RotatorService rotator = new RotatorService(new Clouds(name -> glance), publisher, Metrics.detached(), ours);

    @AfterEach
    void tearDown() {
        ours.close();
        publisher.close();
    }

    private String image(String family, String name) {
        return glance.create(new NewImage(null, name, "qcow2", 1, 64, Map.of(ImageProperties.FAMILY, family), List.of("managed")));
    }

    private ImageEvent apply(org.imagemanager.event.ImageAction action) {
        return rotator.apply(action).orElseThrow();
    }

    @Test
    void renamesWhenTheImageStillHasTheNameThePlanSawAndTheNewNameIsFree() {
        String id = image("Fam", "Fam (1)");

        ImageChanged changed = assertInstanceOf(ImageChanged.class, apply(new RenameImage("r1", CLOUD, "Fam", id, "Fam (1)", "Fam")));

        assertEquals("Fam", glance.get(id).orElseThrow().name());
        assertEquals(ImageChanged.Change.RENAMED, changed.change());
        assertEquals(List.of(changed), publisher.published(ImageChanged.class));
    }

    @Test
    void neverRenamesOntoATakenNameNorAStaleOne() {
        String id = image("Fam", "Fam (1)");
        String holder = image("Other", "Fam");

        ActionSkipped taken = assertInstanceOf(ActionSkipped.class, apply(new RenameImage("r1", CLOUD, "Fam", id, "Fam (1)", "Fam")));
        ActionSkipped stale = assertInstanceOf(ActionSkipped.class, apply(new RenameImage("r2", CLOUD, "Fam", id, "Fam (0)", "Fam (2)")));

        assertTrue(taken.reason().contains("still taken by " + holder), taken.reason());
        assertTrue(stale.reason().contains("now called 'Fam (1)'"), stale.reason());
        assertEquals("Fam (1)", glance.get(id).orElseThrow().name());
    }

    @Test
    void leavesAFamilyAloneWhoseClaimAnotherRunHolds() throws Exception {
        String id = image("Fam", "Fam (1)");
        FamilyClaims other = new FamilyClaims(() -> "pipeline other", Duration.ofMinutes(1), Clock.systemUTC());
        try (FamilyClaims.Hold ignored = other.hold(glance, "Fam")) {
            LeftAlone left = assertInstanceOf(LeftAlone.class, apply(new RenameImage("r1", CLOUD, "Fam", id, "Fam (1)", "Fam")));

            assertEquals("pipeline other", left.holder());
            assertEquals("Fam (1)", glance.get(id).orElseThrow().name(), "nothing changed");
        } finally {
            other.close();
        }
        // released: now it is ours to change
        assertInstanceOf(ImageChanged.class, apply(new RenameImage("r1", CLOUD, "Fam", id, "Fam (1)", "Fam")));
    }

    @Test
    void aRefusalByPolicyIsReportedWithItsStatusAndChangesNothing() {
        String id = image("Fam", "Fam 1");
        glance.refuse("setVisibility", 403);

        ActionFailed refused = assertInstanceOf(ActionFailed.class,
                apply(new SetVisibility("v1", CLOUD, "Fam", id, "Fam 1", "private", "public")));

        assertEquals(403, refused.status());
        assertEquals("private", glance.get(id).orElseThrow().visibility());
    }

    @Test
    void neverTouchesAnImageOfAnotherFamily() {
        String id = image("Other", "Fam (1)");

        ActionSkipped skipped = assertInstanceOf(ActionSkipped.class, apply(new RenameImage("r1", CLOUD, "Fam", id, "Fam (1)", "Fam")));

        assertTrue(skipped.reason().contains("is not one of family 'Fam'"), skipped.reason());
    }
}

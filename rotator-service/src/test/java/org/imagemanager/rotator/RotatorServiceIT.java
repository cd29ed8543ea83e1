package org.imagemanager.rotator;

import org.imagemanager.cloud.Clouds;
import org.imagemanager.event.ActionSkipped;
import org.imagemanager.event.Deactivate;
import org.imagemanager.event.DeleteImage;
import org.imagemanager.event.ImageChanged;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.Reactivate;
import org.imagemanager.event.RemoveProperties;
import org.imagemanager.event.RenameImage;
import org.imagemanager.event.SetHidden;
import org.imagemanager.event.SetMinimums;
import org.imagemanager.event.SetTags;
import org.imagemanager.event.SetVisibility;
import org.imagemanager.event.UpdateProperties;
import org.imagemanager.glance.GlanceClient;
import org.imagemanager.glance.NewImage;
import org.imagemanager.kafka.EventPublisher;
import org.imagemanager.kafka.EventRecords;
import org.imagemanager.kafka.TopicNames;
import org.imagemanager.kafka.TopicsInitializer;
import org.imagemanager.plan.ImageProperties;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.testsupport.DevCloud;
import org.imagemanager.testsupport.SharedKafka;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every rotator action against the real local Glance, including replays and stale actions. */
class RotatorServiceIT {
    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String tag = "im-rotator-" + id;
    private final String family = "Rotor " + id;
    private GlanceClient glance;
    private RotatorService rotator;
    private EventPublisher publisher;
    private String imageId;

    @BeforeEach
    void setUp() throws Exception {
        Clouds clouds = new Clouds(DevCloud.cloudsFile().toString());
        glance = clouds.glance(DevCloud.ADMIN_CLOUD);
        TopicNames topics = new TopicNames("rd-" + id, "ra-" + id, "re-" + id);
        TopicsInitializer.ensure(SharedKafka.bootstrapServers(), topics, 1, (short) 1);
        publisher = new EventPublisher(SharedKafka.bootstrapServers(), new EventRecords(topics, "test"));
        rotator = new RotatorService(clouds, publisher);
        imageId = glance.create(new NewImage(null, family + " (1)", "raw", 1, 64,
                Map.of(ImageProperties.FAMILY, family, "hand_made", "yes", "old_key", "x"), List.of(tag, "foreign")));
        glance.upload(imageId, new ByteArrayInputStream(new byte[4096]));
    }

    @AfterEach
    void tearDown() {
        glance.listImages(tag).forEach(image -> glance.delete(image.id()));
        publisher.close();
    }

    @Test
    void carriesOutEveryActionOnTheRealImageAndSkipsReplays() {
        String cloud = DevCloud.ADMIN_CLOUD;
        assertChanged(rotator.apply(new RenameImage("a1", cloud, family, imageId, family + " (1)", family)), ImageChanged.Change.RENAMED);
        assertEquals(family, image().name());
        assertSkipped(rotator.apply(new RenameImage("a1", cloud, family, imageId, family + " (1)", family)));

        assertChanged(rotator.apply(new SetTags("a2", cloud, family, imageId, family, List.of("os:debian"), List.of("foreign"))), ImageChanged.Change.TAGS);
        assertEquals(java.util.Set.of("os:debian", tag), java.util.Set.copyOf(image().tags()));

        assertChanged(rotator.apply(new UpdateProperties("a3", cloud, family, imageId, family, Map.of("os_distro", "debian", "internal_version", "1"))),
                ImageChanged.Change.PROPERTIES_SET);
        assertChanged(rotator.apply(new RemoveProperties("a4", cloud, family, imageId, family, List.of("old_key"))), ImageChanged.Change.PROPERTIES_REMOVED);
        ObservedImage afterProperties = image();
        assertEquals("debian", afterProperties.property("os_distro"));
        assertEquals("1", afterProperties.property("internal_version"));
        assertEquals(null, afterProperties.property("old_key"));
        assertEquals("yes", afterProperties.property("hand_made"), "a property set by hand stays");
        assertSkipped(rotator.apply(new RemoveProperties("a4", cloud, family, imageId, family, List.of("old_key"))));

        assertChanged(rotator.apply(new SetMinimums("a5", cloud, family, imageId, family, 3, 512)), ImageChanged.Change.MINIMUMS);
        assertEquals(3, image().minDisk());
        assertEquals(512, image().minRam());

        assertChanged(rotator.apply(new SetHidden("a6", cloud, family, imageId, family, true)), ImageChanged.Change.HIDDEN);
        assertTrue(image().hidden());
        assertTrue(glance.listImages(tag).stream().anyMatch(i -> i.id().equals(imageId)), "hidden images are still listed by us");

        assertChanged(rotator.apply(new SetVisibility("a7", cloud, family, imageId, family, "private", "community")), ImageChanged.Change.VISIBILITY);
        assertEquals("community", image().visibility());
        assertSkipped(rotator.apply(new SetVisibility("a7b", cloud, family, imageId, family, "public", "shared")));

        assertChanged(rotator.apply(new Deactivate("a8", cloud, family, imageId, family, "test")), ImageChanged.Change.DEACTIVATED);
        assertEquals("deactivated", image().status());
        assertSkipped(rotator.apply(new Deactivate("a8", cloud, family, imageId, family, "test")));
        assertChanged(rotator.apply(new Reactivate("a9", cloud, family, imageId, family)), ImageChanged.Change.REACTIVATED);
        assertEquals("active", image().status());

        assertChanged(rotator.apply(new DeleteImage("a10", cloud, family, imageId, family, "test")), ImageChanged.Change.DELETED);
        assertFalse(glance.get(imageId).isPresent());
        assertSkipped(rotator.apply(new DeleteImage("a10", cloud, family, imageId, family, "test")));
    }

    @Test
    void neverTouchesAnImageOfAnotherFamily() {
        ImageEvent outcome = rotator.apply(new RenameImage("b1", DevCloud.ADMIN_CLOUD, "Someone else", imageId,
                family + " (1)", "Someone else")).orElseThrow();
        assertInstanceOf(ActionSkipped.class, outcome);
        assertEquals(family + " (1)", image().name());
    }

    @Test
    void refusesToRenameOntoATakenName() throws Exception {
        String other = glance.create(new NewImage(null, family, "raw", 0, 0, Map.of(), List.of(tag)));
        ImageEvent outcome = rotator.apply(new RenameImage("c1", DevCloud.ADMIN_CLOUD, family, imageId, family + " (1)", family)).orElseThrow();
        assertInstanceOf(ActionSkipped.class, outcome);
        assertEquals(1, glance.listImagesNamed(family).size(), "never two images with one name");
        glance.delete(other);
    }

    private ObservedImage image() {
        return glance.get(imageId).orElseThrow();
    }

    private static void assertChanged(java.util.Optional<ImageEvent> outcome, ImageChanged.Change change) {
        ImageChanged changed = assertInstanceOf(ImageChanged.class, outcome.orElseThrow());
        assertEquals(change, changed.change());
    }

    private static void assertSkipped(java.util.Optional<ImageEvent> outcome) {
        assertInstanceOf(ActionSkipped.class, outcome.orElseThrow(), "a replayed or stale action is skipped");
    }
}

package org.imagemanager.rotator;

import org.imagemanager.cloud.Clouds;
import org.imagemanager.event.ActionSkipped;
import org.imagemanager.event.AddImageMember;
import org.imagemanager.event.Deactivate;
import org.imagemanager.event.DeleteImage;
import org.imagemanager.event.ImageChanged;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.Reactivate;
import org.imagemanager.event.RemoveImageMember;
import org.imagemanager.event.RemoveProperties;
import org.imagemanager.event.RenameImage;
import org.imagemanager.event.SetHidden;
import org.imagemanager.event.SetMinimums;
import org.imagemanager.event.SetTags;
import org.imagemanager.event.SetVisibility;
import org.imagemanager.event.UpdateProperties;
import org.imagemanager.glance.Glance;
import org.imagemanager.glance.GlanceException;
import org.imagemanager.glance.NewImage;
import org.imagemanager.kafka.EventPublisher;
import org.imagemanager.kafka.EventRecords;
import org.imagemanager.kafka.TopicNames;
import org.imagemanager.kafka.TopicsInitializer;
import org.imagemanager.observability.Metrics;
import org.imagemanager.plan.ImageProperties;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.plan.Plan;
import org.imagemanager.plan.PlanOptions;
import org.imagemanager.plan.Reconciler;
import org.imagemanager.testsupport.DevCloud;
import org.imagemanager.testsupport.SharedKafka;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every rotator action against the real local Glance, including replays and stale actions. */
class RotatorServiceIT {
    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String tag = "im-rotator-" + id;
    private final String family = "Rotor " + id;
    private Clouds clouds;
    private Glance glance;
    private RotatorService rotator;
    private EventPublisher publisher;
    private String imageId;

    @BeforeEach
    void setUp() throws Exception {
        clouds = new Clouds(DevCloud.cloudsFile().toString());
        glance = clouds.glance(DevCloud.ADMIN_CLOUD);
        TopicNames topics = new TopicNames("rd-" + id, "ra-" + id, "re-" + id);
        TopicsInitializer.ensure(SharedKafka.bootstrapServers(), topics, 1, (short) 1);
        publisher = new EventPublisher(SharedKafka.bootstrapServers(), new EventRecords(topics, "test"));
        rotator = new RotatorService(clouds, publisher, Metrics.detached());
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

    @Test
    void sharesWithAnotherProjectWhichThenListsTheImageAndStopsSharing() {
        String cloud = DevCloud.ADMIN_CLOUD;
        String name = family + " (1)";
        Glance demo = clouds.glance(DevCloud.DEMO_CLOUD);
        String demoProject = demo.projectId();
        assertEquals(Set.of(demoProject), glance.resolveProjects(List.of("demo"), List.of()), "a project by name");
        assertEquals(Set.of(demoProject), glance.resolveProjects(List.of(demoProject), List.of()), "and by id");
        assertEquals(404, assertThrows(GlanceException.class,
                () -> glance.resolveProjects(List.of("no-such-project-" + id), List.of())).status());
        assertSkipped(rotator.apply(new AddImageMember("s0", cloud, family, imageId, name, demoProject, null, true)));
        assertChanged(rotator.apply(new SetVisibility("s1", cloud, family, imageId, name, "private", "shared")), ImageChanged.Change.VISIBILITY);

        ImageChanged pending = assertChanged(rotator.apply(new AddImageMember("s2", cloud, family, imageId, name,
                demoProject, null, false)), ImageChanged.Change.MEMBERS);
        assertEquals(demoProject + ": no member", pending.before());
        assertEquals(demoProject + ": pending", pending.after());
        assertEquals(List.of(new ObservedImage.Member(demoProject, "pending")), image().members());
        assertTrue(demo.listImagesNamed(name).isEmpty(), "a pending member does not list the image");
        assertTrue(demo.get(imageId).isPresent(), "but can read it by id");

        ImageChanged accepted = assertChanged(rotator.apply(new AddImageMember("s3", cloud, family, imageId, name,
                demoProject, "pending", true)), ImageChanged.Change.MEMBERS);
        assertEquals(demoProject + ": accepted", accepted.after());
        assertEquals(List.of(new ObservedImage.Member(demoProject, "accepted")), image().members());
        assertEquals(List.of(imageId), demo.listImagesNamed(name).stream().map(ObservedImage::id).toList(),
                "accepted on its behalf (with admin credentials), the project lists the image");
        assertSkipped(rotator.apply(new AddImageMember("s3", cloud, family, imageId, name, demoProject, "pending", true)));

        assertChanged(rotator.apply(new RemoveImageMember("s4", cloud, family, imageId, name, demoProject)), ImageChanged.Change.MEMBERS);
        assertEquals(List.of(), image().members());
        assertTrue(demo.listImagesNamed(name).isEmpty());
        assertFalse(demo.get(imageId).isPresent(), "no longer a member: the image is gone for the project");
        assertSkipped(rotator.apply(new RemoveImageMember("s4", cloud, family, imageId, name, demoProject)));
    }

    @Test
    void sharesWithEveryProjectOfADomainAsPlannedFromWhatGlanceShows() {
        String cloud = DevCloud.ADMIN_CLOUD;
        try (TestDomain domain = new TestDomain(DevCloud.cloudsFile(), cloud, "im-share-" + id, 2)) {
            Set<String> projects = glance.resolveProjects(List.of(), List.of(domain.name()));
            assertEquals(Set.copyOf(domain.projectIds()), projects);
            assertEquals(projects, glance.resolveProjects(List.of(), List.of(domain.id())), "a domain by id as well");
            glance.setVisibility(imageId, "shared");
            PlanOptions options = PlanOptions.builder(cloud, Instant.now()).managementTag(tag).shareProjects(projects).build();

            List<ImageAction> actions = Reconciler.plan(List.of(), glance.listImages(tag), options).executable();

            assertEquals(2, actions.size(), actions::toString);
            actions.forEach(action -> assertChanged(rotator.apply(action), ImageChanged.Change.MEMBERS));
            assertEquals(Set.copyOf(projects.stream().map(p -> new ObservedImage.Member(p, "accepted")).toList()),
                    Set.copyOf(image().members()));
            Plan again = Reconciler.plan(List.of(), glance.listImages(tag), options);
            assertTrue(again.inLine(), () -> "listImages shows the members, so nothing is left: " + again.actions());
            assertSkipped(rotator.apply(actions.getFirst()));

            String leaving = domain.projectIds().getFirst();
            PlanOptions fewer = options.toBuilder().shareProjects(Set.of(domain.projectIds().get(1))).build();
            List<ImageAction> removal = Reconciler.plan(List.of(), glance.listImages(tag), fewer).executable();
            assertEquals(List.of(new RemoveImageMember(removal.getFirst().actionId(), cloud, family, imageId, family + " (1)",
                    leaving)), removal);
            assertChanged(rotator.apply(removal.getFirst()), ImageChanged.Change.MEMBERS);
            assertEquals(List.of(domain.projectIds().get(1)), image().members().stream().map(ObservedImage.Member::projectId).toList());
        }
    }

    @Test
    void acceptingOnAProjectsBehalfWithoutAdminCredentialsIsReportedNotFatal() {
        Glance demo = clouds.glance(DevCloud.DEMO_CLOUD);
        String name = family + " (demo)";
        String demoImage = demo.create(new NewImage(null, name, "raw", 0, 0, Map.of(ImageProperties.FAMILY, family), List.of(tag)));
        try {
            demo.setVisibility(demoImage, "shared");
            String adminProject = glance.projectId();

            ImageChanged added = assertChanged(rotator.apply(new AddImageMember("d1", DevCloud.DEMO_CLOUD, family,
                    demoImage, name, adminProject, null, true)), ImageChanged.Change.MEMBERS);
            ActionSkipped again = assertSkipped(rotator.apply(new AddImageMember("d2", DevCloud.DEMO_CLOUD, family,
                    demoImage, name, adminProject, "pending", true)));

            assertTrue(added.after().startsWith(adminProject + ": pending (accepting on behalf"), added.after());
            assertTrue(again.reason().contains("only to the project itself and to admins"), again.reason());
            assertEquals(List.of(new ObservedImage.Member(adminProject, "pending")), demo.get(demoImage).orElseThrow().members());
        } finally {
            demo.delete(demoImage);
        }
    }

    private ObservedImage image() {
        return glance.get(imageId).orElseThrow();
    }

    private static ImageChanged assertChanged(java.util.Optional<ImageEvent> outcome, ImageChanged.Change change) {
        ImageChanged changed = assertInstanceOf(ImageChanged.class, outcome.orElseThrow());
        assertEquals(change, changed.change());
        return changed;
    }

    private static ActionSkipped assertSkipped(java.util.Optional<ImageEvent> outcome) {
        return assertInstanceOf(ActionSkipped.class, outcome.orElseThrow(), "a replayed or stale action is skipped");
    }
}

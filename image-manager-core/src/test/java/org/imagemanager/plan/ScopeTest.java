package org.imagemanager.plan;

import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.event.Blocked;
import org.imagemanager.event.ExistingImageAction;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImportImage;
import org.imagemanager.event.RenameImage;
import org.imagemanager.event.UpdateProperties;
import org.imagemanager.fixtures.FakeCloud;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static org.imagemanager.fixtures.ObservedImageBuilder.observed;
import static org.imagemanager.fixtures.RealDefinitions.FLATCAR;
import static org.imagemanager.fixtures.RealDefinitions.UBUNTU;
import static org.imagemanager.fixtures.RealDefinitions.flatcar;
import static org.imagemanager.fixtures.RealDefinitions.ubuntu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which definitions and images a plan may touch at all: {@code --filter}, the management tag, the project,
 * {@code enable}/{@code --force}, {@code --latest}, and images the reference tool made.
 */
class ScopeTest {
    private static final Instant NOW = Instant.parse("2024-06-15T12:00:00Z");
    private static final PlanOptions OPTIONS = PlanOptions.defaults("prod", NOW);
    private static final PlanOptions DELETE = PlanOptions.builder("prod", NOW).delete(true, true).build();

    private final FakeCloud cloud = new FakeCloud(NOW);

    private static List<String> described(Plan plan) {
        return plan.actions().stream().map(ImageAction::describe).toList();
    }

    private static Set<String> touchedIds(Plan plan) {
        return Set.copyOf(plan.actions().stream().filter(ExistingImageAction.class::isInstance)
                .map(a -> ((ExistingImageAction) a).imageId()).toList());
    }

    private static List<String> importedNames(Plan plan) {
        return plan.actions().stream().filter(ImportImage.class::isInstance).map(a -> ((ImportImage) a).imageName()).toList();
    }

    @Nested
    class Filter {
        @Test
        void aFilterProtectsDefinitionsAndImagesThatDoNotMatch() {
            cloud.converge(List.of(ubuntu("20240416", "20240422", "20240501").build(), flatcar("3815.2.0").build()), OPTIONS);
            cloud.add(observed("deb-1", "Debian 11 (20240110)").of("Debian 11", "20240110")
                    .property("uuid_validity", "last-1").visibility("public").build());
            Set<String> ubuntuIds = Set.of(cloud.named(UBUNTU).orElseThrow().id(),
                    cloud.named("Ubuntu 24.04 (20240416)").orElseThrow().id(),
                    cloud.named("Ubuntu 24.04 (20240422)").orElseThrow().id());
            // Ubuntu has a missing build and an outdated one; Flatcar a new release
            List<ImageDefinition> definitions = List.of(
                    ubuntu("20240422", "20240501", "20240601").meta("uuid_validity", "last-1").build(),
                    flatcar("3815.2.0", "3975.2.1").build());

            Plan plan = cloud.plan(definitions, DELETE.toBuilder().filter(Pattern.compile("Flatcar")).build());

            assertEquals(List.of("import 'Flatcar 3975.2.1' from "
                    + "https://stable.release.flatcar-linux.net/amd64-usr/3975.2.1/flatcar_production_openstack_image.img"),
                    described(plan));
            assertTrue(touchedIds(plan).stream().noneMatch(ubuntuIds::contains));
            assertFalse(touchedIds(plan).contains("deb-1"), "an undefined family that does not match is not retired");
        }

        @Test
        void aFilterMatchesAtTheStartOfTheNameLikePythonsReMatch() {
            List<ImageDefinition> definitions = List.of(ubuntu("20240416").build(), flatcar("3975.2.1").build());

            Plan plan = cloud.plan(definitions, OPTIONS.toBuilder().filter(Pattern.compile(".*car")).build());
            Plan none = cloud.plan(definitions, OPTIONS.toBuilder().filter(Pattern.compile("car")).build());

            assertEquals(List.of("Flatcar 3975.2.1"), importedNames(plan));
            assertEquals(List.of(), none.actions());
        }

        @Test
        void aFilterAlsoProtectsOutdatedImagesWhoseNameDoesNotMatch() {
            cloud.converge(List.of(ubuntu("20240416", "20240422").build()), OPTIONS);
            String id16 = cloud.named("Ubuntu 24.04 (20240416)").orElseThrow().id();

            Plan plan = cloud.plan(List.of(ubuntu("20240422").meta("uuid_validity", "last-1").build()),
                    DELETE.toBuilder().filter(Pattern.compile("Ubuntu 24\\.04$")).build());

            assertFalse(touchedIds(plan).contains(id16), () -> described(plan).toString());
        }
    }

    @Nested
    class ManagementTag {
        @Test
        void anUnmanagedImageWithThePlainNameIsNeverTouchedAndTheRenameOntoItIsBlocked() {
            ImageDefinition d = ubuntu("20240416").build();
            cloud.apply(cloud.plan(List.of(d), OPTIONS)); // imported as 'Ubuntu 24.04 (20240416)'
            // made by hand under the plain name while the build was importing (before, the import is blocked)
            cloud.add(observed("hand-1", UBUNTU).unmanaged().visibility("public").build());

            Plan plan = cloud.plan(List.of(d), DELETE);

            assertFalse(touchedIds(plan).contains("hand-1"));
            assertTrue(plan.actions().stream().noneMatch(RenameImage.class::isInstance), () -> described(plan).toString());
            Blocked blocked = plan.actions().stream().filter(Blocked.class::isInstance).map(Blocked.class::cast)
                    .findFirst().orElseThrow(() -> new AssertionError(described(plan)));
            assertTrue(blocked.reason().contains("hand-1"), blocked.reason());
            assertEquals("Ubuntu 24.04 (20240416)", blocked.imageName());
        }

        @Test
        void anImportOntoTheNameOfAnUnmanagedImageIsBlocked() {
            cloud.add(observed("hand-1", "Flatcar 3975.2.1").unmanaged().build());

            Plan plan = cloud.plan(List.of(flatcar("3975.2.1").build()), OPTIONS);

            assertEquals(List.of(), plan.executable());
            assertTrue(assertInstanceOf(Blocked.class, plan.actions().getFirst()).reason().contains("hand-1"));
        }

        @Test
        void anUnmanagedImageOfAFamilyIsNeitherAdoptedNorRetired() {
            cloud.converge(List.of(ubuntu("20240501").build()), OPTIONS);
            cloud.add(observed("hand-1", "Ubuntu 24.04 (20240416)").of(UBUNTU, "20240416").unmanaged()
                    .visibility("public").build());

            Plan plan = cloud.plan(List.of(ubuntu("20240416", "20240501").build()), DELETE);

            assertFalse(touchedIds(plan).contains("hand-1"));
            assertTrue(plan.actions().stream().allMatch(a -> a instanceof Blocked), () -> described(plan).toString());
        }

        @Test
        void anotherManagementTagMakesOurImagesForeign() {
            ImageDefinition d = flatcar("3975.2.1").build();
            cloud.converge(List.of(d), OPTIONS);

            Plan plan = cloud.plan(List.of(d), OPTIONS.toBuilder().managementTag("managed_by_osism").build());

            assertEquals(List.of(), plan.executable(), "the image carries the other tag: never ours to change");
            assertInstanceOf(Blocked.class, plan.actions().getFirst());
        }
    }

    @Nested
    class Project {
        private final PlanOptions ours = DELETE.toBuilder().projectId("p-ours").build();

        @Test
        void aPrivateImageOfAnotherProjectIsNeverInAPlan() {
            cloud.add(observed("other-1", "Ubuntu 24.04 (20240301)").of(UBUNTU, "20240301").owner("p-other")
                    .visibility("private").build());
            cloud.add(observed("other-2", "Ubuntu 24.04 (20240416)").of(UBUNTU, "20240416").owner("p-other")
                    .visibility("private").status("deactivated").build());

            Plan plan = cloud.plan(List.of(ubuntu("20240416").meta("uuid_validity", "last-1").build()), ours);

            assertTrue(touchedIds(plan).isEmpty(), () -> described(plan).toString());
            assertTrue(plan.actions().stream().noneMatch(a -> a instanceof UpdateProperties));
        }

        @Test
        /** Improve on the reference: it changes other projects' public images like its own; we never touch them. */
        void aPublicImageOfAnotherProjectIsNeverTouched() {
            cloud.add(observed("other-1", "Ubuntu 24.04 (20240301)").of(UBUNTU, "20240301").owner("p-other")
                    .visibility("public").build());

            Plan plan = cloud.plan(List.of(ubuntu("20240416").meta("uuid_validity", "last-1").build()), ours);

            assertFalse(touchedIds(plan).contains("other-1"), () -> described(plan).toString());
        }

        @Test
        void aPrivateImageOfAnotherProjectDoesNotTakeTheNameFromOurs() {
            // an admin lists every project's images; another project's private "Ubuntu 24.04" is invisible to our users
            cloud.add(observed("other-plain", UBUNTU).of(UBUNTU, "20240301").owner("p-other").visibility("private").build());
            cloud.add(observed("ours-new", "Ubuntu 24.04 (20240416)").of(UBUNTU, "20240416").owner("p-ours")
                    .visibility("public").build());

            Plan plan = cloud.plan(List.of(ubuntu("20240416").build()), ours);

            assertTrue(plan.actions().stream().anyMatch(a -> a instanceof RenameImage r && r.imageId().equals("ours-new")
                    && r.toName().equals(UBUNTU)), () -> described(plan).toString());
        }

        @Test
        void aPublicImageOfAnotherProjectStillHoldsItsName() {
            cloud.add(observed("other-plain", UBUNTU).of(UBUNTU, "20240301").owner("p-other").visibility("public").build());
            cloud.add(observed("ours-new", "Ubuntu 24.04 (20240416)").of(UBUNTU, "20240416").owner("p-ours")
                    .visibility("public").build());

            Plan plan = cloud.plan(List.of(ubuntu("20240416").build()), ours);

            assertFalse(plan.actions().stream().anyMatch(a -> a instanceof RenameImage r && r.toName().equals(UBUNTU)),
                    () -> described(plan).toString());
        }

        @Test
        void imagesOfOurProjectAreManaged() {
            cloud.add(observed("ours-1", "Ubuntu 24.04 (20240301)").of(UBUNTU, "20240301").owner("p-ours")
                    .visibility("private").build());

            Plan plan = cloud.plan(List.of(ubuntu("20240416").meta("uuid_validity", "last-1").build()), ours);

            assertTrue(touchedIds(plan).contains("ours-1"), () -> described(plan).toString());
        }
    }

    @Nested
    class EnableAndForce {
        @Test
        void aDisabledDefinitionIsSkippedEntirely() {
            ImageDefinition disabled = ubuntu("20240416", "20240422").enable(false).build();

            assertEquals(List.of(), cloud.plan(List.of(disabled), OPTIONS).actions());
        }

        @Test
        void aDisabledDefinitionsImagesAreNotRetiredAsUndefined() {
            cloud.converge(List.of(ubuntu("20240416", "20240422").build()), OPTIONS);

            Plan plan = cloud.plan(List.of(ubuntu("20240422").enable(false).meta("uuid_validity", "last-1").build()), DELETE);

            assertEquals(List.of(), plan.actions());
        }

        @Test
        void forceProcessesADisabledDefinition() {
            ImageDefinition disabled = ubuntu("20240416", "20240422").enable(false).build();

            Plan plan = cloud.plan(List.of(disabled), OPTIONS.toBuilder().force(true).build());

            assertEquals(List.of("Ubuntu 24.04 (20240416)", "Ubuntu 24.04 (20240422)"), importedNames(plan));
        }
    }

    @Nested
    class LatestOnly {
        private final PlanOptions latest = OPTIONS.toBuilder().latestOnly(true).build();

        @Test
        void latestOnlyImportsOnlyTheNewestBuildOfAMultiImage() {
            Plan plan = cloud.plan(List.of(ubuntu("20240416", "20240422", "20240501").build()), latest);

            assertEquals(List.of("Ubuntu 24.04 (20240501)"), importedNames(plan));
        }

        @Test
        void latestOnlyStillImportsEveryFlatcarRelease() {
            Plan plan = cloud.plan(List.of(flatcar("3815.2.0", "3975.2.1").build()), latest);

            assertEquals(List.of("Flatcar 3815.2.0", "Flatcar 3975.2.1"), importedNames(plan));
        }

        @Test
        void latestOnlyLeavesOlderBuildsThatAreThereAlone() {
            cloud.converge(List.of(ubuntu("20240416", "20240422").build()), OPTIONS);

            cloud.converge(List.of(ubuntu("20240416", "20240422", "20240501").build()), latest);

            assertEquals(List.of(UBUNTU, "Ubuntu 24.04 (20240416)", "Ubuntu 24.04 (20240422)"), cloud.sortedNames());
        }
    }

    @Nested
    class ReferenceToolImages {
        private final PlanOptions osism = OPTIONS.toBuilder().managementTag("managed_by_osism").build();

        /** What the reference tool leaves: SCS properties and its tag, but none of our bookkeeping. */
        private ObservedImage madeByReference(String id, String name, String build, String description) {
            Map<String, String> p = new HashMap<>();
            p.put("image_description", description);
            p.put("image_name", UBUNTU);
            p.put("internal_version", build);
            p.put("os_distro", "ubuntu");
            p.put("os_version", "24.04");
            p.put("image_original_user", "ubuntu");
            return new ObservedImage(id, name, "active", "public", "qcow2", p, List.of("managed_by_osism", "os:ubuntu"),
                    NOW.minusSeconds(86_400), null, 3L << 30, 8, 512, false);
        }

        @Test
        void imagesMadeByTheReferenceToolAreAdoptedNotImportedAgain() {
            cloud.add(madeByReference("ref-16", "Ubuntu 24.04 (20240416)", "20240416", UBUNTU));
            cloud.add(madeByReference("ref-22", UBUNTU, "20240422", UBUNTU));
            ImageDefinition d = ubuntu("20240416", "20240422").build();

            Plan plan = cloud.plan(List.of(d), osism);

            assertEquals(List.of(), importedNames(plan));
            assertTrue(plan.actions().stream().noneMatch(RenameImage.class::isInstance), () -> described(plan).toString());
            List<UpdateProperties> updates = plan.actions().stream().filter(UpdateProperties.class::isInstance)
                    .map(UpdateProperties.class::cast).toList();
            assertEquals(Set.of("ref-16", "ref-22"), Set.copyOf(updates.stream().map(UpdateProperties::imageId).toList()));
            updates.forEach(u -> assertEquals(UBUNTU, u.set().get(ImageProperties.FAMILY)));
            cloud.converge(List.of(d), osism);
            assertEquals(Map.of("ref-16", "Ubuntu 24.04 (20240416)", "ref-22", UBUNTU), cloud.names());
        }

        @Test
        void aReferenceImageIsFoundThroughACustomImageDescription() {
            String description = "Ubuntu 24.04 LTS (Noble Numbat)";
            cloud.add(madeByReference("ref-22", UBUNTU, "20240422", description));
            ImageDefinition d = ubuntu("20240422").meta("image_description", description).build();

            Plan plan = cloud.plan(List.of(d), osism);

            assertEquals(List.of(), importedNames(plan));
            assertEquals(Set.of("ref-22"), touchedIds(plan));
        }

        @Test
        void anAdoptedPlainImageIsRotatedWhenANewBuildArrives() {
            cloud.add(madeByReference("ref-22", UBUNTU, "20240422", UBUNTU));
            ImageDefinition d = ubuntu("20240422", "20240501").build();

            cloud.converge(List.of(d), osism);

            assertEquals("Ubuntu 24.04 (20240422)", cloud.byId("ref-22").name());
            assertEquals("20240501", cloud.named(UBUNTU).orElseThrow().property(ImageProperties.INTERNAL_VERSION));
        }
    }

    @Test
    void flatcarAndUbuntuArePlannedAsSeparateFamilies() {
        Plan plan = cloud.plan(List.of(ubuntu("20240416").build(), flatcar("3975.2.1").build()), OPTIONS);

        assertEquals(List.of(FLATCAR, UBUNTU), plan.families().stream().map(FamilyPlan::family).toList());
    }
}

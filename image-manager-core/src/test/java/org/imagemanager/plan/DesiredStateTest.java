package org.imagemanager.plan;

import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.event.Deactivate;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImportImage;
import org.imagemanager.event.Reactivate;
import org.imagemanager.event.RemoveProperties;
import org.imagemanager.event.SetHidden;
import org.imagemanager.event.SetMinimums;
import org.imagemanager.event.SetTags;
import org.imagemanager.event.SetVisibility;
import org.imagemanager.event.UpdateProperties;
import org.imagemanager.fixtures.FakeCloud;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;

import static org.imagemanager.fixtures.RealDefinitions.FLATCAR;
import static org.imagemanager.fixtures.RealDefinitions.UBUNTU;
import static org.imagemanager.fixtures.RealDefinitions.flatcar;
import static org.imagemanager.fixtures.RealDefinitions.hidden;
import static org.imagemanager.fixtures.RealDefinitions.ubuntu;
import static org.imagemanager.fixtures.RealDefinitions.visibility;
import static org.imagemanager.fixtures.RealDefinitions.withMeta;
import static org.imagemanager.fixtures.RealDefinitions.withStatus;
import static org.imagemanager.fixtures.RealDefinitions.withVersion;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The state every present image is brought to: visibility, os_hidden, minimums, properties, tags, status. */
class DesiredStateTest {
    private static final Instant NOW = Instant.parse("2024-06-15T12:00:00Z");
    private static final PlanOptions OPTIONS = PlanOptions.defaults("prod", NOW);
    private static final long GIB = 1L << 30;

    private final FakeCloud cloud = new FakeCloud(NOW);

    private Plan plan(ImageDefinition definition) {
        return cloud.plan(List.of(definition), OPTIONS);
    }

    private static List<String> described(Plan plan) {
        return plan.actions().stream().map(ImageAction::describe).toList();
    }

    private static <T> List<T> only(Plan plan, Class<T> type) {
        return plan.actions().stream().filter(type::isInstance).map(type::cast).toList();
    }

    private String id(String name) {
        return cloud.named(name).orElseThrow(() -> new AssertionError("no '" + name + "' in " + cloud.names())).id();
    }

    @Nested
    class Visibility {
        @Test
        void aVersionsVisibilityOverridesTheImagesVisibility() {
            ImageDefinition d = withVersion(ubuntu("20240416", "20240422").build(), "20240416",
                    v -> visibility(v, "private"));

            cloud.converge(List.of(d), OPTIONS);

            assertEquals("private", cloud.named("Ubuntu 24.04 (20240416)").orElseThrow().visibility());
            assertEquals("public", cloud.named(UBUNTU).orElseThrow().visibility());
        }

        @Test
        void changingTheImagesVisibilityChangesOnlyTheVersionsWithoutTheirOwn() {
            ImageDefinition d = withVersion(ubuntu("20240416", "20240422").build(), "20240416",
                    v -> visibility(v, "public"));
            cloud.converge(List.of(d), OPTIONS);
            ImageDefinition community = withVersion(ubuntu("20240416", "20240422").visibility("community").build(),
                    "20240416", v -> visibility(v, "public"));

            Plan plan = plan(community);

            assertEquals(List.of("visibility of 'Ubuntu 24.04' public -> community"), described(plan));
        }
    }

    @Nested
    class OsHidden {
        private final PlanOptions useOsHidden = OPTIONS.toBuilder().useOsHidden(true).build();

        @Test
        void onlyTheNewestBuildStaysListed() {
            ImageDefinition d = ubuntu("20240416", "20240422", "20240501").build();
            cloud.converge(List.of(d), OPTIONS);

            Plan plan = cloud.plan(List.of(d), useOsHidden);

            List<SetHidden> hides = only(plan, SetHidden.class);
            assertEquals(Set.of(id("Ubuntu 24.04 (20240416)"), id("Ubuntu 24.04 (20240422)")),
                    Set.copyOf(hides.stream().map(SetHidden::imageId).toList()));
            assertTrue(hides.stream().allMatch(SetHidden::hidden));
            assertEquals(2, plan.actions().size(), () -> described(plan).toString());
        }

        @Test
        void aVersionsExplicitHiddenWinsOverTheNewestRule() {
            ImageDefinition d = ubuntu("20240416", "20240422", "20240501").build();
            d = withVersion(d, "20240501", v -> hidden(v, true));
            d = withVersion(d, "20240416", v -> hidden(v, false));

            cloud.converge(List.of(d), useOsHidden);

            assertTrue(cloud.named(UBUNTU).orElseThrow().hidden(), "the newest is hidden because its version says so");
            assertTrue(cloud.named("Ubuntu 24.04 (20240422)").orElseThrow().hidden());
            assertFalse(cloud.named("Ubuntu 24.04 (20240416)").orElseThrow().hidden(), "hidden: false keeps it listed");
        }

        @Test
        void theBuildThatLosesThePlainNameIsHiddenAndTheNewOneListed() {
            cloud.converge(List.of(ubuntu("20240416", "20240422").build()), useOsHidden);

            cloud.converge(List.of(ubuntu("20240416", "20240422", "20240501").build()), useOsHidden);

            assertFalse(cloud.named(UBUNTU).orElseThrow().hidden());
            assertTrue(cloud.named("Ubuntu 24.04 (20240422)").orElseThrow().hidden());
            assertTrue(cloud.named("Ubuntu 24.04 (20240416)").orElseThrow().hidden());
        }

        @Test
        void everyFlatcarReleaseButTheNewestIsHidden() {
            cloud.converge(List.of(flatcar("3815.2.0", "3975.2.0", "3975.2.1").build()), useOsHidden);

            assertEquals(Map.of("Flatcar 3815.2.0", true, "Flatcar 3975.2.0", true, "Flatcar 3975.2.1", false),
                    cloud.images().stream().collect(java.util.stream.Collectors.toMap(ObservedImage::name, ObservedImage::hidden)));
        }

        @Test
        void withoutTheOptionOsHiddenIsLeftAsItIs() {
            ImageDefinition d = ubuntu("20240416").build();
            cloud.converge(List.of(d), OPTIONS);
            cloud.replace(id(UBUNTU), i -> FakeCloud.withHidden(i, true));

            assertTrue(plan(d).inLine());
        }
    }

    @Nested
    class MinDisk {
        @Test
        void minDiskIsRaisedToTheRealSizeRoundedUpToGib() {
            ImageDefinition d = flatcar("3975.2.1").minDisk(1).build();
            cloud.importSize((long) (3.2 * GIB));
            ImportImage importing = only(plan(d), ImportImage.class).getFirst();
            assertEquals(1, importing.minDisk(), "the size is not known before the import");
            cloud.apply(plan(d));

            Plan plan = plan(d);

            List<SetMinimums> minimums = only(plan, SetMinimums.class);
            assertEquals(1, minimums.size(), () -> described(plan).toString());
            assertEquals(4, minimums.getFirst().minDisk());
            assertEquals(2048, minimums.getFirst().minRam());
            cloud.apply(plan);
            assertTrue(plan(d).inLine());
        }

        @Test
        void anImageOfExactlyThreeGibNeedsThreeAndOneByteMoreNeedsFour() {
            ImageDefinition d = flatcar("3975.2.1").minDisk(1).build();
            cloud.importSize(3 * GIB).apply(plan(d));
            assertEquals(3, only(plan(d), SetMinimums.class).getFirst().minDisk());

            FakeCloud other = new FakeCloud(NOW).importSize(3 * GIB + 1);
            other.apply(other.plan(List.of(d), OPTIONS));
            assertEquals(4, only(other.plan(List.of(d), OPTIONS), SetMinimums.class).getFirst().minDisk());
        }

        @Test
        void minDiskIsNeverBelowTheDefinition() {
            ImageDefinition d = flatcar("3975.2.1").minDisk(8).build();
            cloud.importSize((long) (3.2 * GIB)).converge(List.of(d), OPTIONS);
            assertEquals(8, cloud.named("Flatcar 3975.2.1").orElseThrow().minDisk());
            cloud.replace(id("Flatcar 3975.2.1"), i -> FakeCloud.withMinimums(i, 2, i.minRam())); // lowered by hand

            Plan plan = plan(d);

            assertEquals(List.of("minimums of 'Flatcar 3975.2.1': min_disk 8 GiB, min_ram 2048 MiB"), described(plan));
        }

        @Test
        void aChangedMinRamIsSetWithTheMinDisk() {
            cloud.converge(List.of(flatcar("3975.2.1").build()), OPTIONS);

            Plan plan = plan(flatcar("3975.2.1").minRam(4096).build());

            assertEquals(List.of("minimums of 'Flatcar 3975.2.1': min_disk 8 GiB, min_ram 4096 MiB"), described(plan));
        }
    }

    @Nested
    class Properties {
        private final ImageDefinition flatcar = flatcar("3975.2.1").build();

        @Test
        void aNewMetaKeyIsAddedAndRecordedInTheBookkeeping() {
            cloud.converge(List.of(flatcar), OPTIONS);

            Plan plan = plan(flatcar("3975.2.1").meta("hw_rng_model", "virtio").build());

            UpdateProperties u = assertInstanceOf(UpdateProperties.class, plan.actions().getFirst());
            assertEquals(Set.of("hw_rng_model", ImageProperties.MANAGED_KEYS), u.set().keySet());
            assertEquals("virtio", u.set().get("hw_rng_model"));
            assertTrue(Arrays.asList(u.set().get(ImageProperties.MANAGED_KEYS).split(",")).contains("hw_rng_model"));
            assertEquals(1, plan.actions().size(), () -> described(plan).toString());
        }

        @Test
        void aChangedMetaValueIsUpdatedAlone() {
            cloud.converge(List.of(flatcar), OPTIONS);

            Plan plan = plan(flatcar("3975.2.1").meta("os_purpose", "minimal").build());

            assertEquals(List.of(new TreeMap<>(Map.of("os_purpose", "minimal"))),
                    only(plan, UpdateProperties.class).stream().map(u -> new TreeMap<>(u.set())).toList());
            assertEquals(1, plan.actions().size(), () -> described(plan).toString());
        }

        @Test
        void aDroppedMetaKeyIsRemovedButAPropertySetByHandStays() {
            cloud.converge(List.of(flatcar), OPTIONS);
            cloud.replace(id("Flatcar 3975.2.1"), i -> FakeCloud.withProperty(i, "support_contact", "ops@example.org"));
            ImageDefinition dropped = withMeta(flatcar, m -> {
                m.remove("hw_watchdog_action");
                return m;
            });

            Plan plan = plan(dropped);

            assertEquals(List.of(List.of("hw_watchdog_action")),
                    only(plan, RemoveProperties.class).stream().map(RemoveProperties::keys).toList());
            UpdateProperties bookkeeping = only(plan, UpdateProperties.class).getFirst();
            assertEquals(Set.of(ImageProperties.MANAGED_KEYS), bookkeeping.set().keySet());
            assertFalse(bookkeeping.set().get(ImageProperties.MANAGED_KEYS).contains("hw_watchdog_action"));
            cloud.apply(plan);
            ObservedImage image = cloud.named("Flatcar 3975.2.1").orElseThrow();
            assertEquals("ops@example.org", image.property("support_contact"));
            assertEquals(null, image.property("hw_watchdog_action"));
            assertTrue(plan(dropped).inLine());
        }

        @Test
        void aMetaKeySetToNullIsRemovedLikeADroppedOne() {
            cloud.converge(List.of(flatcar), OPTIONS);

            Plan plan = plan(flatcar("3975.2.1").meta("hw_disk_bus", null).build());

            assertEquals(List.of(List.of("hw_disk_bus")),
                    only(plan, RemoveProperties.class).stream().map(RemoveProperties::keys).toList());
        }

        @Test
        void aPropertySetByHandIsNeverRemovedEvenWhenNothingElseChanges() {
            cloud.converge(List.of(flatcar), OPTIONS);
            cloud.replace(id("Flatcar 3975.2.1"), i -> FakeCloud.withProperty(i, "hw_qemu_guest_agent", "yes"));

            assertTrue(plan(flatcar).inLine());
        }

        @Test
        void aLongBookkeepingIsSplitOverSeveralPropertiesOfAtMost255Characters() {
            ImageDefinition d = withManyLongKeys(flatcar, 12);

            ImportImage i = only(plan(d), ImportImage.class).getFirst();

            List<String> chunks = new ArrayList<>();
            for (int n = 1; i.properties().containsKey(bookkeepingKey(n)); n++) {
                chunks.add(i.properties().get(bookkeepingKey(n)));
            }
            assertTrue(chunks.size() >= 2, () -> "expected the bookkeeping split: " + i.properties());
            chunks.forEach(chunk -> assertTrue(chunk.length() <= 255, chunk));
            assertEquals(chunks.size(), i.properties().keySet().stream().filter(k -> k.startsWith(ImageProperties.MANAGED_KEYS)).count(),
                    "the chunks are numbered without gaps");
            Set<String> recorded = new HashSet<>();
            chunks.forEach(chunk -> recorded.addAll(Arrays.asList(chunk.split(","))));
            Set<String> expected = new HashSet<>(i.properties().keySet());
            expected.removeIf(ImageProperties::isBookkeeping);
            assertEquals(expected, recorded);
        }

        @Test
        void aDroppedKeyRecordedInTheSecondBookkeepingPropertyIsRemoved() {
            ImageDefinition d = withManyLongKeys(flatcar, 12);
            cloud.converge(List.of(d), OPTIONS);
            ObservedImage image = cloud.named("Flatcar 3975.2.1").orElseThrow();
            String inSecond = image.property(ImageProperties.MANAGED_KEYS + "_2").split(",")[0];
            assertFalse(image.property(ImageProperties.MANAGED_KEYS).contains(inSecond));
            ImageDefinition dropped = withMeta(d, m -> {
                m.remove(inSecond);
                return m;
            });

            Plan plan = plan(dropped);

            assertEquals(List.of(List.of(inSecond)),
                    only(plan, RemoveProperties.class).stream().map(RemoveProperties::keys).toList());
            cloud.apply(plan);
            assertTrue(plan(dropped).inLine());
        }

        @Test
        void aStaleSecondBookkeepingPropertyIsCleanedUpSoAHandSetPropertyIsNeverRemovedLater() {
            ImageDefinition many = withManyLongKeys(flatcar, 12);
            cloud.converge(List.of(many), OPTIONS);
            String formerKey = cloud.named("Flatcar 3975.2.1").orElseThrow()
                    .property(ImageProperties.MANAGED_KEYS + "_2").split(",")[0];
            cloud.converge(List.of(flatcar), OPTIONS); // the long keys are dropped from the definition again
            // an operator sets a property that happens to have the name of one we once managed
            cloud.replace(id("Flatcar 3975.2.1"), i -> FakeCloud.withProperty(i, formerKey, "set by hand"));

            Plan plan = plan(flatcar);

            assertTrue(only(plan, RemoveProperties.class).isEmpty(), () -> described(plan).toString());
            assertEquals(null, cloud.named("Flatcar 3975.2.1").orElseThrow()
                    .property(ImageProperties.MANAGED_KEYS + "_2"), "the stale bookkeeping must be gone");
        }

        private static String bookkeepingKey(int n) {
            return n == 1 ? ImageProperties.MANAGED_KEYS : ImageProperties.MANAGED_KEYS + "_" + n;
        }

        private static ImageDefinition withManyLongKeys(ImageDefinition d, int count) {
            return withMeta(d, m -> {
                IntStream.rangeClosed(1, count).forEach(n ->
                        m.put(String.format("scs_site_specific_property_with_a_long_name_%02d", n), "value " + n));
                return m;
            });
        }
    }

    @Nested
    class Tags {
        @Test
        void foreignTagsAreRemovedAndDefinedOnesAddedButTheManagementTagStays() {
            ImageDefinition d = ubuntu("20240416").tag("scs").build();
            cloud.converge(List.of(ubuntu("20240416").build()), OPTIONS);
            cloud.replace(id(UBUNTU), i -> FakeCloud.withTags(i,
                    List.of(PlanOptions.DEFAULT_MANAGEMENT_TAG, "beta", "os:debian")));

            Plan plan = plan(d);

            SetTags t = assertInstanceOf(SetTags.class, plan.actions().getFirst());
            assertEquals(List.of("os:ubuntu", "scs"), t.add());
            assertEquals(List.of("beta", "os:debian"), t.remove());
            assertEquals(1, plan.actions().size(), () -> described(plan).toString());
            cloud.apply(plan);
            assertEquals(Set.of(PlanOptions.DEFAULT_MANAGEMENT_TAG, "os:ubuntu", "scs"),
                    Set.copyOf(cloud.named(UBUNTU).orElseThrow().tags()));
        }

        @Test
        void aTagAddedToTheDefinitionIsAddedToEveryBuild() {
            cloud.converge(List.of(ubuntu("20240416", "20240422").build()), OPTIONS);

            Plan plan = plan(ubuntu("20240416", "20240422").tag("lts").build());

            assertEquals(Set.of("tags of 'Ubuntu 24.04 (20240416)': +[lts] -[]", "tags of 'Ubuntu 24.04': +[lts] -[]"),
                    Set.copyOf(described(plan)));
            assertEquals(2, plan.actions().size());
        }
    }

    @Nested
    class Status {
        @Test
        void deactivatedInTheDefinitionDeactivatesEveryBuildAndActiveReactivatesThem() {
            ImageDefinition active = ubuntu("20240416", "20240422").build();
            cloud.converge(List.of(active), OPTIONS);

            Plan deactivate = plan(withStatus(active, "deactivated"));

            assertEquals(2, deactivate.actions().size(), () -> described(deactivate).toString());
            assertTrue(deactivate.actions().stream().allMatch(Deactivate.class::isInstance));
            only(deactivate, Deactivate.class).forEach(a -> assertTrue(a.reason().contains("status: deactivated")));
            cloud.apply(deactivate);
            assertTrue(cloud.images().stream().allMatch(i -> "deactivated".equals(i.status())));
            assertTrue(plan(withStatus(active, "deactivated")).inLine(), "a deactivated build still counts as present");

            Plan reactivate = plan(withStatus(active, "active"));

            assertEquals(2, reactivate.actions().size(), () -> described(reactivate).toString());
            assertTrue(reactivate.actions().stream().allMatch(Reactivate.class::isInstance));
            cloud.apply(reactivate);
            assertTrue(plan(active).inLine());
        }

        @Test
        void aNewBuildOfADeactivatedDefinitionIsDeactivatedOnceImported() {
            ImageDefinition d = withStatus(flatcar("3975.2.1").build(), "deactivated");

            cloud.converge(List.of(d), OPTIONS);

            assertEquals("deactivated", cloud.named("Flatcar 3975.2.1").orElseThrow().status());
            assertEquals(FLATCAR, cloud.named("Flatcar 3975.2.1").orElseThrow().property(ImageProperties.FAMILY));
        }
    }

    @Test
    void aFreshImportIsBroughtInLineInOneRoundAndThenLeftAlone() {
        ImageDefinition d = ubuntu("20240416").tag("scs").build();
        cloud.apply(plan(d));

        Plan plan = plan(d);

        List<Class<?>> kinds = new ArrayList<>(plan.actions().stream().<Class<?>>map(Object::getClass).toList());
        // the new build is made visible before it takes the plain name
        assertEquals(List.of(SetVisibility.class, org.imagemanager.event.RenameImage.class), kinds,
                () -> described(plan).toString());
        cloud.apply(plan);
        assertTrue(plan(d).inLine());
    }
}

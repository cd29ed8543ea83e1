package org.imagemanager.plan;

import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.event.Blocked;
import org.imagemanager.event.Deactivate;
import org.imagemanager.event.DeleteImage;
import org.imagemanager.event.ExistingImageAction;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImportImage;
import org.imagemanager.event.RenameImage;
import org.imagemanager.event.SetVisibility;
import org.imagemanager.fixtures.FakeCloud;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.imagemanager.fixtures.ObservedImageBuilder.observed;
import static org.imagemanager.fixtures.RealDefinitions.FLATCAR;
import static org.imagemanager.fixtures.RealDefinitions.UBUNTU;
import static org.imagemanager.fixtures.RealDefinitions.flatcar;
import static org.imagemanager.fixtures.RealDefinitions.ubuntu;
import static org.imagemanager.fixtures.RealDefinitions.withKeep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outdated images (managed images no definition names any more): which are kept by {@code uuid_validity}, and what
 * {@code --delete} (with and without confirmation), {@code --hide}, {@code --deactivate}, {@code keep} and
 * {@code --keep} do with the others.
 */
class RetirementTest {
    private static final Instant NOW = Instant.parse("2024-06-15T12:00:00Z");
    private static final PlanOptions DEFAULTS = PlanOptions.defaults("prod", NOW);
    private static final PlanOptions DELETE = PlanOptions.builder("prod", NOW).delete(true, true).build();
    private static final String[] FIVE_BUILDS = {"20240416", "20240422", "20240501", "20240515", "20240601"};

    private final FakeCloud cloud = new FakeCloud(NOW);
    private String id0416;
    private String id0422;
    private String id0501;

    /** Five Ubuntu builds in the cloud; the definition then keeps only the two newest: three are outdated. */
    @BeforeEach
    void fiveBuildsOfWhichTheDefinitionNowNamesTwo() {
        cloud.converge(List.of(ubuntu(FIVE_BUILDS).build()), DEFAULTS.toBuilder().visibleBuilds(0).build());
        id0416 = cloud.named("Ubuntu 24.04 (20240416)").orElseThrow().id();
        id0422 = cloud.named("Ubuntu 24.04 (20240422)").orElseThrow().id();
        id0501 = cloud.named("Ubuntu 24.04 (20240501)").orElseThrow().id();
    }

    private static ImageDefinition twoNewest() {
        return ubuntu("20240515", "20240601").build();
    }

    private static ImageDefinition twoNewest(String uuidValidity) {
        return ubuntu("20240515", "20240601").meta("uuid_validity", uuidValidity).build();
    }

    private Plan plan(ImageDefinition definition, PlanOptions options) {
        return cloud.plan(List.of(definition), options);
    }

    private static List<String> described(Plan plan) {
        return plan.actions().stream().map(ImageAction::describe).toList();
    }

    private static List<String> touchedIds(Plan plan) {
        return plan.executable().stream().filter(ExistingImageAction.class::isInstance)
                .map(a -> ((ExistingImageAction) a).imageId()).distinct().toList();
    }

    /** The retirement part of a plan (a changed uuid_validity also updates the property on the defined images). */
    private static List<ImageAction> retirement(Plan plan) {
        return plan.actions().stream().filter(a -> a instanceof Deactivate || a instanceof DeleteImage
                || a instanceof Blocked || a instanceof SetVisibility v && "community".equals(v.to())).toList();
    }

    private static List<String> retirementIds(Plan plan) {
        return retirement(plan).stream().filter(ExistingImageAction.class::isInstance)
                .map(a -> ((ExistingImageAction) a).imageId()).distinct().toList();
    }

    private static List<Blocked> blocked(Plan plan) {
        return plan.actions().stream().filter(Blocked.class::isInstance).map(Blocked.class::cast).toList();
    }

    @Test
    void withoutRetirementOptionsOutdatedImagesAreLeftAsTheyAre() {
        Plan plan = plan(twoNewest(), DEFAULTS);

        assertEquals(List.of(), plan.actions());
    }

    @Test
    void lastThreeKeepsTheTwoNewestOutdatedImagesAndDeletesTheOldestInThreeSteps() {
        Plan plan = plan(twoNewest(), DELETE);

        List<ImageAction> actions = plan.actions();
        assertEquals(3, actions.size(), () -> described(plan).toString());
        Deactivate deactivate = assertInstanceOf(Deactivate.class, actions.get(0));
        SetVisibility hide = assertInstanceOf(SetVisibility.class, actions.get(1));
        DeleteImage delete = assertInstanceOf(DeleteImage.class, actions.get(2));
        assertEquals(List.of(id0416, id0416, id0416), List.of(deactivate.imageId(), hide.imageId(), delete.imageId()));
        assertEquals("public", hide.from());
        assertEquals("community", hide.to());
        assertTrue(delete.reason().contains("last-3"), delete.reason());
        assertEquals("Ubuntu 24.04 (20240416)", delete.imageName());

        cloud.apply(plan);
        assertEquals(List.of(UBUNTU, "Ubuntu 24.04 (20240422)", "Ubuntu 24.04 (20240501)", "Ubuntu 24.04 (20240515)"),
                cloud.sortedNames());
        assertTrue(plan(twoNewest(), DELETE).inLine(), "the kept outdated images stay kept");
    }

    @Test
    void lastOneRetiresEveryOutdatedImageNewestFirst() {
        Plan plan = plan(twoNewest("last-1"), DELETE);

        assertEquals(List.of(id0501, id0422, id0416), plan.actions().stream().filter(DeleteImage.class::isInstance)
                .map(a -> ((DeleteImage) a).imageId()).toList());
    }

    @Test
    void deleteWithoutConfirmationDeletesNothingAndReportsEachCandidateAsBlocked() {
        Plan plan = plan(twoNewest("last-1"), PlanOptions.builder("prod", NOW).delete(true, false).build());

        assertEquals(List.of(), retirementIds(plan));
        assertEquals(List.of("Ubuntu 24.04 (20240501)", "Ubuntu 24.04 (20240422)", "Ubuntu 24.04 (20240416)"),
                blocked(plan).stream().map(Blocked::imageName).toList());
        blocked(plan).forEach(b -> assertTrue(b.reason().contains("--yes-i-really-know-what-i-do"), b.reason()));
    }

    @Test
    void hideOnlyMakesTheCandidateCommunity() {
        Plan plan = plan(twoNewest(), PlanOptions.builder("prod", NOW).hide(true).build());

        assertEquals(List.of("visibility of 'Ubuntu 24.04 (20240416)' public -> community"), described(plan));
        assertEquals(List.of(id0416), touchedIds(plan));
    }

    @Test
    void deactivateOnlyDeactivatesTheCandidate() {
        Plan plan = plan(twoNewest(), PlanOptions.builder("prod", NOW).deactivate(true).build());

        List<ImageAction> actions = plan.actions();
        assertEquals(1, actions.size(), () -> described(plan).toString());
        assertEquals(id0416, assertInstanceOf(Deactivate.class, actions.get(0)).imageId());
    }

    @Test
    void hideAndDeactivateTogetherDeactivateThenHideButNeverDelete() {
        Plan plan = plan(twoNewest(), PlanOptions.builder("prod", NOW).deactivate(true).hide(true).build());

        assertEquals(List.of(Deactivate.class, SetVisibility.class),
                plan.actions().stream().<Class<?>>map(Object::getClass).toList());
    }

    @Test
    void anAlreadyDeactivatedAndHiddenCandidateIsOnlyDeleted() {
        cloud.apply(plan(twoNewest(), PlanOptions.builder("prod", NOW).deactivate(true).hide(true).build()));
        assertEquals("deactivated", cloud.byId(id0416).status());

        Plan plan = plan(twoNewest(), DELETE);

        assertEquals(List.of("delete 'Ubuntu 24.04 (20240416)' (outdated (uuid_validity: last-3))"), described(plan));
    }

    @Test
    void keepTrueInTheDefinitionNeverDeletesEvenWithConfirmation() {
        Plan plan = plan(withKeep(twoNewest("last-1"), true), DELETE);

        assertTrue(plan.actions().stream().noneMatch(DeleteImage.class::isInstance), () -> described(plan).toString());
        assertEquals(3, blocked(plan).size());
        blocked(plan).forEach(b -> assertTrue(b.reason().contains("keep: true"), b.reason()));
        assertEquals(List.of(), retirementIds(plan));
    }

    @Test
    void keepOptionDoesNotProtectOutdatedBuildsOfAMultiImage() {
        Plan plan = plan(twoNewest(), DELETE.toBuilder().keep(true).build());

        assertEquals(List.of(id0416), touchedIds(plan));
        assertTrue(plan.actions().stream().anyMatch(DeleteImage.class::isInstance));
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "forever", "notice"})
    void uuidValidityThatNeverExpiresNeverRetires(String validity) {
        Plan plan = plan(twoNewest(validity), DELETE.toBuilder().hide(true).deactivate(true).build());

        assertEquals(List.of(), retirement(plan));
    }

    @Test
    void aUuidValidityDateInThePastRetiresEveryOutdatedImage() {
        Plan plan = plan(twoNewest("2024-05-31"), DELETE);

        assertEquals(Set.of(id0416, id0422, id0501), Set.copyOf(retirementIds(plan)));
        assertEquals(3, plan.actions().stream().filter(DeleteImage.class::isInstance).count());
    }

    @Test
    void aUuidValidityDateInTheFutureRetiresNothing() {
        Plan plan = plan(twoNewest("2024-12-31"), DELETE);

        assertEquals(List.of(), retirement(plan));
    }

    @Test
    void aUuidValidityDateOfTodayStillKeepsTheImages() {
        Plan plan = plan(twoNewest("2024-06-15"), DELETE);

        assertEquals(List.of(), retirement(plan));
    }

    @Test
    void theImageThatKeepsThePlainNameIsNotRetiredWhileItsReplacementIsMissing() {
        // the definition now names only a build that is not there yet: the old plain image must stay until it is
        ImageDefinition onlyNew = ubuntu("20240615").meta("uuid_validity", "2024-05-31").build();
        String plainId = cloud.named(UBUNTU).orElseThrow().id();

        Plan plan = plan(onlyNew, DELETE);

        assertEquals(1, plan.actions().stream().filter(ImportImage.class::isInstance).count());
        assertFalse(touchedIds(plan).contains(plainId), () -> described(plan).toString());
        assertEquals(4, plan.actions().stream().filter(DeleteImage.class::isInstance).count(),
                "the four suffixed builds are retired");
    }

    @Test
    void theOldPlainImageIsRenamedAwayBeforeItIsRetired() {
        ImageDefinition onlyNew = ubuntu("20240615").meta("uuid_validity", "last-1").build();
        cloud.apply(plan(onlyNew, DEFAULTS)); // the new build is imported and active
        String oldPlainId = cloud.named(UBUNTU).orElseThrow().id();

        Plan plan = plan(onlyNew, DELETE);

        List<ImageAction> actions = plan.actions();
        int renameAway = indexOf(actions, a -> a instanceof RenameImage r && r.imageId().equals(oldPlainId));
        int deleteOld = indexOf(actions, a -> a instanceof DeleteImage d && d.imageId().equals(oldPlainId));
        assertTrue(renameAway >= 0 && deleteOld > renameAway, () -> described(plan).toString());
        cloud.apply(plan);
        assertEquals(List.of(UBUNTU), cloud.sortedNames());
        assertEquals("20240615", cloud.named(UBUNTU).orElseThrow().property(ImageProperties.INTERNAL_VERSION));
    }

    @Test
    void aFailedImportSuspendsAllRetirementAndReportsIt() {
        ImageDefinition flatcar = flatcar("3975.2.1").build();
        Plan plan = cloud.plan(List.of(twoNewest("last-1"), flatcar), DELETE,
                new Reconciler.Inputs(Map.of(), Set.of(FLATCAR)));

        assertTrue(plan.actions().stream().noneMatch(a -> a instanceof DeleteImage || a instanceof Deactivate
                || a instanceof SetVisibility), () -> described(plan).toString());
        List<Blocked> reports = blocked(plan.family(UBUNTU).map(f -> new Plan("prod", List.of(f), List.of())).orElseThrow());
        assertEquals(1, reports.size());
        assertTrue(reports.getFirst().reason().contains("import failed") && reports.getFirst().reason().contains(FLATCAR),
                reports.getFirst().reason());
        assertEquals(List.of("Flatcar 3975.2.1"), plan.actions().stream().filter(ImportImage.class::isInstance)
                .map(a -> ((ImportImage) a).imageName()).toList(), "imports go on; only retirement waits");
    }

    @Test
    void aFailedImportAlsoSuspendsTheRetirementOfFamiliesNoDefinitionNames() {
        cloud.add(debian11("deb-0110", "Debian 11 (20240110)", "20240110", "last-1"));

        Plan plan = cloud.plan(List.of(ubuntu(FIVE_BUILDS).build()), DELETE.toBuilder().hide(true).deactivate(true).build(),
                new Reconciler.Inputs(Map.of(), Set.of(UBUNTU)));

        assertEquals(List.of(), plan.executable(), () -> described(plan).toString());
        assertEquals(1, plan.family("Debian 11").orElseThrow().actions().size());
        assertInstanceOf(Blocked.class, plan.family("Debian 11").orElseThrow().actions().getFirst());
    }

    @Test
    void imagesOfAFamilyNoDefinitionNamesAreRetiredByTheirOwnUuidValidity() {
        cloud.add(debian11("deb-0110", "Debian 11 (20240110)", "20240110", "last-2"))
                .add(debian11("deb-0210", "Debian 11 (20240210)", "20240210", "last-2"))
                .add(debian11("deb-0310", "Debian 11", "20240310", "last-2"));

        Plan plan = plan(ubuntu(FIVE_BUILDS).build(), DELETE);

        FamilyPlan debian = plan.family("Debian 11").orElseThrow();
        assertEquals(List.of("deactivate 'Debian 11 (20240110)' (outdated (uuid_validity: last-2))",
                "visibility of 'Debian 11 (20240110)' public -> community",
                "delete 'Debian 11 (20240110)' (outdated (uuid_validity: last-2))"),
                debian.actions().stream().map(ImageAction::describe).toList(),
                "the newest suffixed one is kept by last-2, the plain-named one is never retired");
    }

    @Test
    void imagesOfAFamilyNoDefinitionNamesAreKeptWhenTheirUuidValiditySaysNone() {
        cloud.add(debian11("deb-0110", "Debian 11 (20240110)", "20240110", "none"))
                .add(debian11("deb-0210", "Debian 11 (20240210)", "20240210", "none"));

        Plan plan = plan(ubuntu(FIVE_BUILDS).build(), DELETE);

        assertTrue(plan.family("Debian 11").map(FamilyPlan::actions).orElse(List.of()).isEmpty());
    }

    @Test
    void aFlatcarReleaseNoLongerDefinedIsRetiredByUuidValidity() {
        FakeCloud cloud = new FakeCloud(NOW);
        cloud.converge(List.of(flatcar("3815.2.0", "3975.2.0", "3975.2.1").meta("uuid_validity", "last-1").build()), DEFAULTS);
        String old = cloud.named("Flatcar 3815.2.0").orElseThrow().id();
        ImageDefinition flatcar = flatcar("3975.2.0", "3975.2.1").meta("uuid_validity", "last-1").build();

        Plan plan = cloud.plan(List.of(flatcar), DELETE);

        assertEquals(List.of("deactivate 'Flatcar 3815.2.0' (outdated (uuid_validity: last-1))",
                "visibility of 'Flatcar 3815.2.0' public -> community",
                "delete 'Flatcar 3815.2.0' (outdated (uuid_validity: last-1))"), described(plan));
        assertEquals(List.of(old), touchedIds(plan));
    }

    @Test
    void keepOptionKeepsFlatcarReleasesNoLongerDefined() {
        FakeCloud cloud = new FakeCloud(NOW);
        cloud.converge(List.of(flatcar("3815.2.0", "3975.2.0", "3975.2.1").meta("uuid_validity", "last-1").build()), DEFAULTS);
        ImageDefinition flatcar = flatcar("3975.2.0", "3975.2.1").meta("uuid_validity", "last-1").build();

        Plan plan = cloud.plan(List.of(flatcar), DELETE.toBuilder().keep(true).hide(true).deactivate(true).build());

        assertEquals(List.of(), plan.actions());
    }

    private static ObservedImage debian11(String id, String name, String version, String uuidValidity) {
        return observed(id, name).of("Debian 11", version).property("uuid_validity", uuidValidity)
                .visibility("public").build();
    }

    private static int indexOf(List<ImageAction> actions, java.util.function.Predicate<ImageAction> p) {
        for (int i = 0; i < actions.size(); i++) {
            if (p.test(actions.get(i))) {
                return i;
            }
        }
        return -1;
    }
}

package org.imagemanager.plan;

import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.event.AddImageMember;
import org.imagemanager.event.ExistingImageAction;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.RemoveImageMember;
import org.imagemanager.event.SetVisibility;
import org.imagemanager.fixtures.FakeCloud;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.imagemanager.fixtures.ObservedImageBuilder.observed;
import static org.imagemanager.fixtures.RealDefinitions.UBUNTU;
import static org.imagemanager.fixtures.RealDefinitions.ubuntu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The share options, declarative: every managed image whose visibility is {@code shared} has exactly the configured
 * projects as members, each accepted; other images and images we do not manage keep their members.
 */
class SharingTest {
    private static final Instant NOW = Instant.parse("2024-06-15T12:00:00Z");
    private static final PlanOptions UNSHARED = PlanOptions.defaults("prod", NOW);
    private static final PlanOptions SHARE = UNSHARED.toBuilder().shareProjects(Set.of("p-alpha", "p-beta")).build();
    private static final ImageDefinition SHARED_UBUNTU = ubuntu("20240416", "20240422").visibility("shared").build();

    private final FakeCloud cloud = new FakeCloud(NOW);

    private static List<String> described(Plan plan) {
        return plan.actions().stream().map(ImageAction::describe).toList();
    }

    private static Set<Member> members(ObservedImage image) {
        return Set.copyOf(image.members().stream().map(m -> new Member(m.projectId(), m.status())).toList());
    }

    private record Member(String project, String status) {
    }

    private ObservedImage image(String name) {
        return cloud.named(name).orElseThrow(() -> new AssertionError("no '" + name + "' in " + cloud.names()));
    }

    /** The family imported and in line without share options: shared, no members yet. */
    private void sharedFamilyWithoutMembers() {
        cloud.converge(List.of(SHARED_UBUNTU), UNSHARED);
    }

    @Test
    void everySharedImageGetsEachProjectAsAnAcceptedMember() {
        Plan last = cloud.converge(List.of(SHARED_UBUNTU), SHARE);

        Set<Member> expected = Set.of(new Member("p-alpha", "accepted"), new Member("p-beta", "accepted"));
        assertEquals(expected, members(image(UBUNTU)));
        assertEquals(expected, members(image("Ubuntu 24.04 (20240416)")));
        assertTrue(last.inLine(), () -> described(last).toString());
    }

    @Test
    void membersAreAddedAfterTheImageBecameShared() {
        // FakeCloud refuses a member on an image that is not shared, as Glance does
        ImageDefinition privateUbuntu = ubuntu("20240416").visibility("private").build();
        cloud.converge(List.of(privateUbuntu), UNSHARED);

        Plan plan = cloud.plan(List.of(ubuntu("20240416").visibility("shared").build()), SHARE);

        List<ImageAction> actions = plan.actions();
        int visibility = actions.indexOf(actions.stream().filter(SetVisibility.class::isInstance).findFirst().orElseThrow());
        List<Integer> shares = actions.stream().filter(AddImageMember.class::isInstance).map(actions::indexOf).toList();
        assertEquals(2, shares.size(), () -> described(plan).toString());
        assertTrue(shares.stream().allMatch(i -> i > visibility), () -> described(plan).toString());
        cloud.apply(plan);
        assertEquals(Set.of(new Member("p-alpha", "accepted"), new Member("p-beta", "accepted")), members(image(UBUNTU)));
    }

    @Test
    void aPendingOrRejectedMemberIsAcceptedOnItsBehalf() {
        sharedFamilyWithoutMembers();
        cloud.replace(image(UBUNTU).id(), i -> i.withMembers(List.of(new ObservedImage.Member("p-alpha", "pending"),
                new ObservedImage.Member("p-beta", "accepted"))));
        cloud.replace(image("Ubuntu 24.04 (20240416)").id(), i -> i.withMembers(List.of(
                new ObservedImage.Member("p-alpha", "accepted"), new ObservedImage.Member("p-beta", "rejected"))));

        Plan plan = cloud.plan(List.of(SHARED_UBUNTU), SHARE);

        assertEquals(List.of("accept 'Ubuntu 24.04 (20240416)' on behalf of project p-beta (rejected)",
                "accept 'Ubuntu 24.04' on behalf of project p-alpha (pending)"), described(plan));
        cloud.apply(plan);
        assertTrue(cloud.plan(List.of(SHARED_UBUNTU), SHARE).inLine(), "applying the plan's result leaves nothing to do");
    }

    @Test
    void aMemberTheOptionsNoLongerNameIsRemoved() {
        cloud.converge(List.of(SHARED_UBUNTU), SHARE);
        PlanOptions onlyBeta = UNSHARED.toBuilder().shareProjects(Set.of("p-beta")).build();

        Plan plan = cloud.plan(List.of(SHARED_UBUNTU), onlyBeta);

        assertEquals(List.of("stop sharing 'Ubuntu 24.04 (20240416)' with project p-alpha",
                "stop sharing 'Ubuntu 24.04' with project p-alpha"), described(plan));
        cloud.apply(plan);
        assertEquals(Set.of(new Member("p-beta", "accepted")), members(image(UBUNTU)));
        assertTrue(cloud.plan(List.of(SHARED_UBUNTU), onlyBeta).inLine());
    }

    @Test
    void emptyShareOptionsUnshareEveryManagedImage() {
        cloud.converge(List.of(SHARED_UBUNTU), SHARE);

        cloud.converge(List.of(SHARED_UBUNTU), UNSHARED.toBuilder().shareProjects(Set.of()).build());

        assertEquals(Set.of(), members(image(UBUNTU)));
        assertEquals(Set.of(), members(image("Ubuntu 24.04 (20240416)")));
    }

    @Test
    void withoutShareOptionsMembersAreTheOperatorsAndLeftAlone() {
        cloud.converge(List.of(SHARED_UBUNTU), SHARE);
        cloud.replace(image(UBUNTU).id(), i -> i.withMembers(List.of(new ObservedImage.Member("p-by-hand", "pending"))));

        Plan plan = cloud.plan(List.of(SHARED_UBUNTU), UNSHARED);

        assertTrue(plan.inLine(), () -> described(plan).toString());
    }

    @Test
    void imagesWeDoNotManageKeepTheirMembers() {
        cloud.converge(List.of(SHARED_UBUNTU), SHARE);
        cloud.add(observed("foreign", "Ubuntu 24.04 (by hand)").of(UBUNTU, "20240101").unmanaged().visibility("shared")
                .member("p-gamma", "accepted").build());

        Plan plan = cloud.plan(List.of(SHARED_UBUNTU), SHARE);

        assertTrue(plan.inLine(), () -> described(plan).toString());
    }

    @Test
    void imagesThatAreNotSharedAreLeftAloneRegardingMembers() {
        ImageDefinition publicUbuntu = ubuntu("20240416", "20240422").build();

        Plan plan = cloud.converge(List.of(publicUbuntu), SHARE);

        assertTrue(plan.inLine());
        assertTrue(cloud.images().stream().allMatch(i -> i.members().isEmpty()), () -> cloud.images().toString());
    }

    @Test
    void theOwnerIsNeverMadeAMemberOfItsOwnImage() {
        sharedFamilyWithoutMembers();
        cloud.images().forEach(i -> cloud.replace(i.id(), image -> FakeCloud.withOwner(image, "p-alpha")));

        Plan plan = cloud.plan(List.of(SHARED_UBUNTU), SHARE);

        assertEquals(Set.of("p-beta"), Set.copyOf(plan.actions().stream().map(a -> ((AddImageMember) a).projectId()).toList()));
    }

    @Test
    void withoutAcceptingOnTheirBehalfMembersAreAddedPendingAndTheirAnswerIsKept() {
        sharedFamilyWithoutMembers();
        PlanOptions noAccept = SHARE.toBuilder().shareAccept(false).build();
        cloud.replace(image(UBUNTU).id(), i -> i.withMembers(List.of(new ObservedImage.Member("p-alpha", "rejected"))));

        Plan plan = cloud.plan(List.of(SHARED_UBUNTU), noAccept);

        assertEquals(List.of("share 'Ubuntu 24.04 (20240416)' with project p-alpha",
                "share 'Ubuntu 24.04 (20240416)' with project p-beta",
                "share 'Ubuntu 24.04' with project p-beta"), described(plan));
        cloud.apply(plan);
        assertEquals(Set.of(new Member("p-alpha", "rejected"), new Member("p-beta", "pending")), members(image(UBUNTU)));
        assertTrue(cloud.plan(List.of(SHARED_UBUNTU), noAccept).inLine());
    }

    @Test
    void anOlderImageThatStaysSharedFollowsTheOptionsAndOneMadeCommunityDoesNot() {
        cloud.converge(List.of(ubuntu("20240416", "20240422", "20240501").visibility("shared").build()), SHARE);
        ImageDefinition withoutOldest = ubuntu("20240422", "20240501").visibility("shared").meta("uuid_validity", "none").build();
        PlanOptions onlyBeta = UNSHARED.toBuilder().shareProjects(Set.of("p-beta")).build();
        String oldest = image("Ubuntu 24.04 (20240416)").id();

        Plan kept = cloud.plan(List.of(withoutOldest), onlyBeta);
        Plan hidden = cloud.plan(List.of(ubuntu("20240422", "20240501").visibility("shared").meta("uuid_validity", "last-1")
                .build()), onlyBeta.toBuilder().hide(true).build());

        assertTrue(kept.actions().stream().anyMatch(a -> a instanceof RemoveImageMember r && r.imageId().equals(oldest)),
                () -> described(kept).toString());
        assertFalse(hidden.actions().stream().anyMatch(a -> (a instanceof RemoveImageMember || a instanceof AddImageMember)
                && ((ExistingImageAction) a).imageId().equals(oldest)), () -> described(hidden).toString());
    }

    @Test
    void theSameDecisionHasTheSameActionIdAndTheTableSaysWhatHappens() {
        sharedFamilyWithoutMembers();

        Plan first = cloud.plan(List.of(SHARED_UBUNTU), SHARE);
        Plan again = cloud.plan(List.of(SHARED_UBUNTU), SHARE);

        assertEquals(first.actions().stream().map(ImageAction::actionId).toList(),
                again.actions().stream().map(ImageAction::actionId).toList());
        assertEquals(4, Set.copyOf(first.actions().stream().map(ImageAction::actionId).toList()).size());
        assertTrue(PlanReport.table(first).contains("share   ") && PlanReport.table(first).contains("p-alpha: accepted"),
                PlanReport.table(first));
    }
}

package org.imagemanager.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The options of one plan, named as the reference tool's command-line options.
 *
 * @param cloud          the cloud (clouds.yaml name) planned for
 * @param managementTag  marks the images we manage; images without it are never in a plan
 * @param projectId      the current project: images of other projects are only considered when public (null: all)
 * @param filter         only definitions and images whose name matches at its start (as Python's re.match)
 * @param latestOnly     {@code --latest}: import only the newest version of multi images
 * @param keep           {@code --keep}: never retire undefined versions of {@code multi: false} images
 * @param deactivate     {@code --deactivate}: deactivate retired images
 * @param hide           {@code --hide}: make retired images {@code community}
 * @param delete         {@code --delete}: delete retired images, but only with {@code confirmDelete}
 * @param confirmDelete  {@code --yes-i-really-know-what-i-do}
 * @param force          {@code --force}: also process {@code enable: false} definitions
 * @param useOsHidden    {@code --use-os-hidden}: manage {@code os_hidden} (hide all but the newest version)
 * @param maxAge         {@code --max-age}: report definitions whose newest build is older (null: no report)
 * @param now            the time of planning (injected: the planner stays a pure function)
 * @param staleImport    an import still not finished after this long is considered dead and planned again
 * @param shareProjects  ids of the projects every managed {@code shared} image is shared with, exactly (the
 *                       {@code --share-*} options, declarative; domains already expanded to their projects at the
 *                       edge). Null when sharing is not configured: members are then left as they are.
 * @param shareAccept    accept the membership on each project's behalf (Glance allows that only to admins);
 *                       without it a member is added and the project accepts or rejects it itself
 * @param visibleBuilds  {@code --visible-builds}: of a {@code multi: true} family, the newest this many builds keep
 *                       their visibility; older public ones become {@code community} and are retired like undefined
 *                       ones, and older defined versions are not imported (the seed: three; 0: no limit)
 */
public record PlanOptions(String cloud, String managementTag, String projectId, Pattern filter, boolean latestOnly,
                          boolean keep, boolean deactivate, boolean hide, boolean delete, boolean confirmDelete,
                          boolean force, boolean useOsHidden, Duration maxAge, Instant now, Duration staleImport,
                          Set<String> shareProjects, boolean shareAccept, int visibleBuilds) {
    public static final String DEFAULT_MANAGEMENT_TAG = "managed_by_image_manager";
    /** The seed: "By default the last three images will be visible." */
    public static final int DEFAULT_VISIBLE_BUILDS = 3;

    public PlanOptions {
        shareProjects = shareProjects == null ? null : Set.copyOf(shareProjects);
        if (visibleBuilds < 0) {
            throw new IllegalArgumentException("visible builds must be 0 (no limit) or more, not " + visibleBuilds);
        }
    }

    public static PlanOptions defaults(String cloud, Instant now) {
        return builder(cloud, now).build();
    }

    public static Builder builder(String cloud, Instant now) {
        return new Builder(cloud, now);
    }

    public Builder toBuilder() {
        Builder b = new Builder(cloud, now);
        b.managementTag = managementTag;
        b.projectId = projectId;
        b.filter = filter;
        b.latestOnly = latestOnly;
        b.keep = keep;
        b.deactivate = deactivate;
        b.hide = hide;
        b.delete = delete;
        b.confirmDelete = confirmDelete;
        b.force = force;
        b.useOsHidden = useOsHidden;
        b.maxAge = maxAge;
        b.staleImport = staleImport;
        b.shareProjects = shareProjects;
        b.shareAccept = shareAccept;
        b.visibleBuilds = visibleBuilds;
        return b;
    }

    /** Options start from the reference's defaults: nothing is retired, hidden or forced unless asked for. */
    public static final class Builder {
        private final String cloud;
        private final Instant now;
        private String managementTag = DEFAULT_MANAGEMENT_TAG;
        private String projectId;
        private Pattern filter;
        private boolean latestOnly;
        private boolean keep;
        private boolean deactivate;
        private boolean hide;
        private boolean delete;
        private boolean confirmDelete;
        private boolean force;
        private boolean useOsHidden;
        private Duration maxAge;
        private Duration staleImport = Duration.ofHours(2);
        private Set<String> shareProjects;
        private boolean shareAccept = true;
        private int visibleBuilds = DEFAULT_VISIBLE_BUILDS;

        private Builder(String cloud, Instant now) {
            this.cloud = cloud;
            this.now = now;
        }

        public Builder managementTag(String value) { managementTag = value; return this; }

        public Builder projectId(String value) { projectId = value; return this; }

        public Builder filter(Pattern value) { filter = value; return this; }

        public Builder latestOnly(boolean value) { latestOnly = value; return this; }

        public Builder keep(boolean value) { keep = value; return this; }

        public Builder deactivate(boolean value) { deactivate = value; return this; }

        public Builder hide(boolean value) { hide = value; return this; }

        /** {@code --delete}; effective only together with the confirmation. */
        public Builder delete(boolean value, boolean confirmed) { delete = value; confirmDelete = confirmed; return this; }

        public Builder force(boolean value) { force = value; return this; }

        public Builder useOsHidden(boolean value) { useOsHidden = value; return this; }

        public Builder maxAge(Duration value) { maxAge = value; return this; }

        public Builder staleImport(Duration value) { staleImport = value; return this; }

        /**
         * Project ids (names are resolved at the edge); an empty set unshares every managed image, null (the default)
         * leaves members alone.
         */
        public Builder shareProjects(Collection<String> projectIds) {
            shareProjects = projectIds == null ? null : Set.copyOf(projectIds);
            return this;
        }

        public Builder shareAccept(boolean value) { shareAccept = value; return this; }

        /** 0: every build keeps its visibility (no rotation). */
        public Builder visibleBuilds(int value) { visibleBuilds = value; return this; }

        public PlanOptions build() {
            return new PlanOptions(cloud, managementTag, projectId, filter, latestOnly, keep, deactivate, hide, delete,
                    confirmDelete, force, useOsHidden, maxAge, now, staleImport, shareProjects, shareAccept, visibleBuilds);
        }
    }

    boolean selects(String name) {
        return filter == null || filter.matcher(name).lookingAt();
    }
}

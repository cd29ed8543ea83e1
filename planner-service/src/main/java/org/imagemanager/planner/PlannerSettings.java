package org.imagemanager.planner;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.imagemanager.cloud.Clouds;
import org.imagemanager.plan.PlanOptions;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The planner's configuration. {@code image-manager.clouds} names the clouds (clouds.yaml) the definitions apply to;
 * {@code image-manager.management-tag} marks managed images; {@code image-manager.plan.*} are the reference tool's
 * options (all off by default: nothing is retired, hidden or deleted unless configured).
 */
@Singleton
public class PlannerSettings {
    private final List<String> clouds;
    private final String managementTag;
    private final Options plan;
    private final Clouds keystone;

    public PlannerSettings(@Value("${image-manager.clouds:}") String cloudList,
                           @Value("${image-manager.management-tag:managed_by_image_manager}") String managementTag,
                           Options plan, Clouds keystone) {
        this.clouds = Arrays.stream(cloudList.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        this.managementTag = managementTag;
        this.plan = plan;
        this.keystone = keystone;
    }

    public List<String> clouds() {
        return clouds;
    }

    public String managementTag() {
        return managementTag;
    }

    public PlanOptions options(String cloud, Instant now, String currentProject) {
        return PlanOptions.builder(cloud, now)
                .managementTag(managementTag)
                .projectId(plan.projectId != null ? plan.projectId : currentProject)
                .filter(plan.filter == null || plan.filter.isBlank() ? null : Pattern.compile(plan.filter))
                .latestOnly(plan.latest)
                .keep(plan.keep)
                .deactivate(plan.deactivate)
                .hide(plan.hide)
                .delete(plan.delete, plan.confirmDelete)
                .force(plan.force)
                .useOsHidden(plan.useOsHidden)
                .staleImport(plan.staleImport)
                .shareProjects(sharedWith(cloud))
                .shareAccept(plan.shareAccept)
                .build();
    }

    /**
     * The project ids of the share options, or null without them (members are then left alone). This is the
     * planner's I/O edge for sharing: names and domains are looked up in Keystone before the pure plan sees them,
     * and a failed lookup throws, so that no plan ever unshares an image because a project could not be found.
     */
    private Set<String> sharedWith(String cloud) {
        if (plan.shareProjects.isEmpty() && plan.shareDomains.isEmpty()) {
            return null;
        }
        return keystone.glance(cloud).resolveProjects(plan.shareProjects, plan.shareDomains);
    }

    /** {@code image-manager.plan.*}. */
    @ConfigurationProperties("image-manager.plan")
    public static class Options {
        public String projectId;
        public String filter;
        public boolean latest;
        public boolean keep;
        public boolean deactivate;
        public boolean hide;
        public boolean delete;
        public boolean confirmDelete;
        public boolean force;
        public boolean useOsHidden;
        public Duration staleImport = Duration.ofHours(2);
        /** Projects (names or ids) every managed shared image is shared with; none: members are left alone. */
        public List<String> shareProjects = List.of();
        /** Domains (names or ids) whose every project is shared with, as if listed in share-projects. */
        public List<String> shareDomains = List.of();
        /** Accept on each project's behalf (needs admin credentials); false: the projects accept themselves. */
        public boolean shareAccept = true;
    }
}

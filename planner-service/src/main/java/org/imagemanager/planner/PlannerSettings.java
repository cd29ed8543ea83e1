package org.imagemanager.planner;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.imagemanager.plan.PlanOptions;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
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

    public PlannerSettings(@Value("${image-manager.clouds:}") String cloudList,
                           @Value("${image-manager.management-tag:managed_by_image_manager}") String managementTag,
                           Options plan) {
        this.clouds = Arrays.stream(cloudList.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        this.managementTag = managementTag;
        this.plan = plan;
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
                .build();
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
    }
}

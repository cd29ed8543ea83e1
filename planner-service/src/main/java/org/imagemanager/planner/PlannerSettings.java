package org.imagemanager.planner;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.value.PropertyResolver;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.imagemanager.cloud.Clouds;
import org.imagemanager.plan.PlanOptions;

import java.time.Duration;
import java.time.Instant;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
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
    private final Map<String, CloudOptions> cloudOptions;
    private final Clouds keystone;

    @Inject
    public PlannerSettings(@Value("${image-manager.clouds:}") String cloudList,
                           @Value("${image-manager.management-tag:managed_by_image_manager}") String managementTag,
                           Options plan, PropertyResolver properties, Clouds keystone) {
        this(cloudList, managementTag, plan, key -> properties.get(key, String.class), keystone);
    }

    PlannerSettings(String cloudList, String managementTag, Options plan, Function<String, Optional<String>> properties,
                    Clouds keystone) {
        this.clouds = Arrays.stream(cloudList.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        this.managementTag = managementTag;
        this.plan = plan;
        this.keystone = keystone;
        Map<String, CloudOptions> byCloud = new HashMap<>();
        for (String cloud : clouds) {
            byCloud.put(cloud, cloudOptions(cloud, properties));
        }
        this.cloudOptions = Map.copyOf(byCloud);
    }

    /**
     * {@code image-manager.cloud-options.CLOUD.delete|confirm-delete|hide|deactivate|keep|latest|use-os-hidden|visibility}:
     * what one cloud does differently; unset options follow {@code image-manager.plan.*}.
     */
    private static CloudOptions cloudOptions(String cloud, Function<String, Optional<String>> properties) {
        String prefix = "image-manager.cloud-options." + cloud + ".";
        Function<String, Boolean> flag = key -> properties.apply(prefix + key).map(Boolean::parseBoolean).orElse(null);
        String visibility = properties.apply(prefix + "visibility").filter(v -> !v.isBlank()).orElse(null);
        if (visibility != null && !List.of("public", "private", "community", "shared").contains(visibility)) {
            throw new IllegalStateException(prefix + "visibility must be public, private, community or shared, not '" + visibility + "'");
        }
        return new CloudOptions(flag.apply("delete"), flag.apply("confirm-delete"), flag.apply("hide"),
                flag.apply("deactivate"), flag.apply("keep"), flag.apply("latest"), flag.apply("use-os-hidden"), visibility);
    }

    public CloudOptions cloudOptions(String cloud) {
        return cloudOptions.getOrDefault(cloud, CloudOptions.none());
    }

    public List<String> clouds() {
        return clouds;
    }

    public String managementTag() {
        return managementTag;
    }

    public PlanOptions options(String cloud, Instant now, String currentProject) {
        CloudOptions own = cloudOptions(cloud);
        return PlanOptions.builder(cloud, now)
                .managementTag(managementTag)
                .projectId(plan.projectId != null ? plan.projectId : currentProject)
                .filter(plan.filter == null || plan.filter.isBlank() ? null : Pattern.compile(plan.filter))
                .latestOnly(or(own.latest(), plan.latest))
                .keep(or(own.keep(), plan.keep))
                .deactivate(or(own.deactivate(), plan.deactivate))
                .hide(or(own.hide(), plan.hide))
                .delete(or(own.delete(), plan.delete), or(own.confirmDelete(), plan.confirmDelete))
                .force(plan.force)
                .useOsHidden(or(own.useOsHidden(), plan.useOsHidden))
                .visibleBuilds(plan.visibleBuilds)
                .staleImport(plan.staleImport)
                .shareProjects(sharedWith(cloud))
                .shareAccept(plan.shareAccept)
                .maxAge(plan.maxAge)
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

    private static boolean or(Boolean cloudValue, boolean planValue) {
        return cloudValue != null ? cloudValue : planValue;
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
        /** Of a {@code multi: true} family, the newest this many builds stay visible (the seed: three; 0: no limit). */
        public int visibleBuilds = PlanOptions.DEFAULT_VISIBLE_BUILDS;
        public Duration staleImport = Duration.ofHours(2);
        /** How often every family is planned again from what the clouds hold: this corrects changes made by hand. */
        public Duration resyncInterval = Duration.ofMinutes(5);
        /** An action unanswered (and without progress) this long is published again. */
        public Duration redeliverAfter = Duration.ofMinutes(15);
        /** A failed import is tried again after this long, not at once. */
        public Duration retryFailedAfter = Duration.ofMinutes(10);
        /** Projects (names or ids) every managed shared image is shared with; none: members are left alone. */
        public List<String> shareProjects = List.of();
        /** Domains (names or ids) whose every project is shared with, as if listed in share-projects. */
        public List<String> shareDomains = List.of();
        /** Accept on each project's behalf (needs admin credentials); false: the projects accept themselves. */
        public boolean shareAccept = true;
        /** Definitions whose newest build is older than this are reported with the plan; null: no report. */
        public Duration maxAge;

        /**
         * The same options read from any property source, as Micronaut binds them for the planner service: the
         * command line's own look at a cloud ({@code plan}, {@code sync}) reads the pipeline's properties with it.
         */
        public static Options from(PropertyResolver properties) {
            String prefix = "image-manager.plan.";
            Options o = new Options();
            o.projectId = properties.get(prefix + "project-id", String.class).orElse(o.projectId);
            o.filter = properties.get(prefix + "filter", String.class).orElse(o.filter);
            o.latest = properties.get(prefix + "latest", Boolean.class).orElse(o.latest);
            o.keep = properties.get(prefix + "keep", Boolean.class).orElse(o.keep);
            o.deactivate = properties.get(prefix + "deactivate", Boolean.class).orElse(o.deactivate);
            o.hide = properties.get(prefix + "hide", Boolean.class).orElse(o.hide);
            o.delete = properties.get(prefix + "delete", Boolean.class).orElse(o.delete);
            o.confirmDelete = properties.get(prefix + "confirm-delete", Boolean.class).orElse(o.confirmDelete);
            o.force = properties.get(prefix + "force", Boolean.class).orElse(o.force);
            o.useOsHidden = properties.get(prefix + "use-os-hidden", Boolean.class).orElse(o.useOsHidden);
            o.visibleBuilds = properties.get(prefix + "visible-builds", Integer.class).orElse(o.visibleBuilds);
            o.staleImport = properties.get(prefix + "stale-import", Duration.class).orElse(o.staleImport);
            o.resyncInterval = properties.get(prefix + "resync-interval", Duration.class).orElse(o.resyncInterval);
            o.redeliverAfter = properties.get(prefix + "redeliver-after", Duration.class).orElse(o.redeliverAfter);
            o.retryFailedAfter = properties.get(prefix + "retry-failed-after", Duration.class).orElse(o.retryFailedAfter);
            o.shareProjects = properties.get(prefix + "share-projects", io.micronaut.core.type.Argument.listOf(String.class))
                    .orElse(o.shareProjects);
            o.shareDomains = properties.get(prefix + "share-domains", io.micronaut.core.type.Argument.listOf(String.class))
                    .orElse(o.shareDomains);
            o.shareAccept = properties.get(prefix + "share-accept", Boolean.class).orElse(o.shareAccept);
            o.maxAge = properties.get(prefix + "max-age", Duration.class).orElse(o.maxAge);
            return o;
        }
    }

    public Options plan() {
        return plan;
    }
}

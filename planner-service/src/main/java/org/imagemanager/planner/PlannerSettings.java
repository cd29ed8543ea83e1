package org.imagemanager.planner;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.value.PropertyResolver;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.imagemanager.cloud.Clouds;
import org.imagemanager.config.Durations;
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

    public PlannerSettings(String cloudList, String managementTag, Options plan, Function<String, Optional<String>> properties,
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
         * The same options read from plain property values (lists comma-separated), as Micronaut binds them for the
         * planner service: the command line's own look at a cloud ({@code plan}, {@code sync}) reads the pipeline's
         * properties with it, without building a context (its classpath scan would cost a no-op sync a third of a
         * second).
         */
        public static Options from(Function<String, Optional<String>> properties) {
            String prefix = "image-manager.plan.";
            Function<String, Optional<String>> value = key -> properties.apply(prefix + key).filter(v -> !v.isBlank());
            Options o = new Options();
            o.projectId = value.apply("project-id").orElse(o.projectId);
            o.filter = value.apply("filter").orElse(o.filter);
            o.latest = value.apply("latest").map(Boolean::parseBoolean).orElse(o.latest);
            o.keep = value.apply("keep").map(Boolean::parseBoolean).orElse(o.keep);
            o.deactivate = value.apply("deactivate").map(Boolean::parseBoolean).orElse(o.deactivate);
            o.hide = value.apply("hide").map(Boolean::parseBoolean).orElse(o.hide);
            o.delete = value.apply("delete").map(Boolean::parseBoolean).orElse(o.delete);
            o.confirmDelete = value.apply("confirm-delete").map(Boolean::parseBoolean).orElse(o.confirmDelete);
            o.force = value.apply("force").map(Boolean::parseBoolean).orElse(o.force);
            o.useOsHidden = value.apply("use-os-hidden").map(Boolean::parseBoolean).orElse(o.useOsHidden);
            o.visibleBuilds = value.apply("visible-builds").map(v -> Integer.parseInt(v.strip())).orElse(o.visibleBuilds);
            o.staleImport = value.apply("stale-import").map(Durations::parse).orElse(o.staleImport);
            o.resyncInterval = value.apply("resync-interval").map(Durations::parse).orElse(o.resyncInterval);
            o.redeliverAfter = value.apply("redeliver-after").map(Durations::parse).orElse(o.redeliverAfter);
            o.retryFailedAfter = value.apply("retry-failed-after").map(Durations::parse).orElse(o.retryFailedAfter);
            o.shareProjects = value.apply("share-projects").map(Options::list).orElse(o.shareProjects);
            o.shareDomains = value.apply("share-domains").map(Options::list).orElse(o.shareDomains);
            o.shareAccept = value.apply("share-accept").map(Boolean::parseBoolean).orElse(o.shareAccept);
            o.maxAge = value.apply("max-age").map(Durations::parse).orElse(o.maxAge);
            return o;
        }

        private static List<String> list(String commaSeparated) {
            return Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        }
    }

    public Options plan() {
        return plan;
    }
}

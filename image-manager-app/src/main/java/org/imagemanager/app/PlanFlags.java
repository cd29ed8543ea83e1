package org.imagemanager.app;

import org.imagemanager.plan.PlanOptions;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** The reference tool's planning options, with its names. */
final class PlanFlags {
    @Option(names = "--tag", defaultValue = PlanOptions.DEFAULT_MANAGEMENT_TAG,
            description = "tag that marks managed images (default: ${DEFAULT-VALUE}); others are never touched")
    String tag;

    @Option(names = "--filter", description = "only images whose name matches this regular expression (at its start)")
    Pattern filter;

    @Option(names = "--latest", description = "import only the newest version of multi images")
    boolean latest;

    @Option(names = "--keep", description = "never retire undefined versions of multi: false images")
    boolean keep;

    @Option(names = "--deactivate", description = "deactivate retired images")
    boolean deactivate;

    @Option(names = "--hide", description = "make retired images community images")
    boolean hide;

    @Option(names = "--delete", description = "delete retired images (needs --yes-i-really-know-what-i-do)")
    boolean delete;

    @Option(names = "--yes-i-really-know-what-i-do", description = "confirm --delete")
    boolean confirmDelete;

    @Option(names = "--force", description = "also process definitions with enable: false")
    boolean force;

    @Option(names = "--use-os-hidden", description = "manage os_hidden: only the newest version of an image is listed")
    boolean useOsHidden;

    @Option(names = "--max-age", description = "report definitions whose newest build is older than this many days")
    Integer maxAgeDays;

    PlanOptions options(String cloud, String projectId, Instant now) {
        return PlanOptions.builder(cloud, now)
                .managementTag(tag)
                .projectId(projectId)
                .filter(filter)
                .latestOnly(latest)
                .keep(keep)
                .deactivate(deactivate)
                .hide(hide)
                .delete(delete, confirmDelete)
                .force(force)
                .useOsHidden(useOsHidden)
                .maxAge(maxAgeDays == null ? null : Duration.ofDays(maxAgeDays))
                .build();
    }

    /** The same options as configuration of the planner service ({@code image-manager.plan.*}). */
    Map<String, Object> properties() {
        Map<String, Object> p = new HashMap<>();
        if (filter != null) {
            p.put("image-manager.plan.filter", filter.pattern());
        }
        p.put("image-manager.plan.latest", latest);
        p.put("image-manager.plan.keep", keep);
        p.put("image-manager.plan.deactivate", deactivate);
        p.put("image-manager.plan.hide", hide);
        p.put("image-manager.plan.delete", delete);
        p.put("image-manager.plan.confirm-delete", confirmDelete);
        p.put("image-manager.plan.force", force);
        p.put("image-manager.plan.use-os-hidden", useOsHidden);
        return p;
    }
}

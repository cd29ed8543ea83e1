package org.imagemanager.app;

import org.imagemanager.plan.PlanOptions;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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

    @Option(names = "--visible-builds", paramLabel = "N", defaultValue = "3",
            description = "of a multi: true image, the newest N builds stay visible; older public ones become community"
                    + " and are retired like undefined ones (0: no limit; default: ${DEFAULT-VALUE})")
    int visibleBuilds = PlanOptions.DEFAULT_VISIBLE_BUILDS;

    @Option(names = "--max-age", description = "report definitions whose newest build is older than this many days")
    Integer maxAgeDays;

    @Option(names = "--share-project", paramLabel = "NAME|ID",
            description = "share every managed shared image with this project, and with no other (repeatable)")
    List<String> shareProjects = new ArrayList<>();

    @Option(names = "--share-domain", paramLabel = "NAME|ID",
            description = "share every managed shared image with every project of this domain (repeatable)")
    List<String> shareDomains = new ArrayList<>();

    @Option(names = "--share-accept", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "accept on each project's behalf (needs admin credentials; default: ${DEFAULT-VALUE})")
    boolean shareAccept;

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
        p.put("image-manager.plan.visible-builds", visibleBuilds);
        p.put("image-manager.plan.share-projects", List.copyOf(shareProjects));
        p.put("image-manager.plan.share-domains", List.copyOf(shareDomains));
        p.put("image-manager.plan.share-accept", shareAccept);
        if (maxAgeDays != null) {
            p.put("image-manager.plan.max-age", Duration.ofDays(maxAgeDays).toString());
        }
        return p;
    }
}

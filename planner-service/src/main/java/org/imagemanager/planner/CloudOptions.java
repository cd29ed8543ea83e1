package org.imagemanager.planner;

import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.definition.VersionDefinition;

import java.util.List;

/**
 * What one cloud does differently from the others ({@code image-manager.cloud-options.CLOUD.*}): its own retirement
 * policy, and optionally one visibility for every image (e.g. a test cloud where everything stays private).
 *
 * @param visibility null: the definitions' visibility; else the visibility of every image (and version) there
 */
record CloudOptions(Boolean delete, Boolean confirmDelete, Boolean hide, Boolean deactivate, Boolean keep,
                    Boolean latest, Boolean useOsHidden, String visibility) {

    static CloudOptions none() {
        return new CloudOptions(null, null, null, null, null, null, null, null);
    }

    /** The definition as this cloud applies it. Pure: the reconcile core stays unaware of per-cloud options. */
    ImageDefinition apply(ImageDefinition d) {
        if (visibility == null) {
            return d;
        }
        // the cloud's visibility wins over the version-level one too
        List<VersionDefinition> versions = d.versions().stream().map(v -> new VersionDefinition(v.version(), v.url(),
                v.mirrorUrl(), v.checksum(), v.checksumUrl(), v.checksumsUrl(), v.buildDate(), null, v.hidden(),
                v.osVersion(), v.meta(), v.imageDescription(), v.source(), v.id())).toList();
        return new ImageDefinition(d.name(), d.enable(), d.format(), d.login(), d.password(), d.minDisk(), d.minRam(),
                d.status(), visibility, d.multi(), d.keep(), d.separator(), d.shortname(), d.latestUrl(),
                d.latestChecksumUrl(), d.tags(), d.meta(), versions);
    }
}

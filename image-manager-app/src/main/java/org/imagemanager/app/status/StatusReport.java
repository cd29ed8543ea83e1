package org.imagemanager.app.status;

import org.imagemanager.event.DefinitionsPublished;
import org.imagemanager.event.DefinitionsRejected;
import org.imagemanager.event.ActionFailed;
import org.imagemanager.event.ImportFailed;
import org.imagemanager.event.PlanComputed;

import java.time.Instant;
import java.util.List;

/**
 * What the {@code image-events} topic says about now.
 *
 * @param definitions per definitions source (repository), its last publication and a rejection that no publication
 *                    has followed yet
 * @param clouds      per cloud, in name order
 * @param events      how many events it was made from
 */
public record StatusReport(List<SourceStatus> definitions, List<CloudStatus> clouds, int events) {
    public StatusReport {
        definitions = List.copyOf(definitions);
        clouds = List.copyOf(clouds);
    }

    /** The same report for one cloud only; the definitions concern every cloud and stay. */
    public StatusReport only(String cloud) {
        return new StatusReport(definitions, clouds.stream().filter(c -> c.cloud().equals(cloud)).toList(), events);
    }

    /**
     * @param lastPublished null when only rejections were seen
     * @param rejected      null unless it is the source's latest word
     */
    public record SourceStatus(String source, DefinitionsPublished lastPublished, DefinitionsRejected rejected) {
    }

    /**
     * @param plans    the last plan of every family, in family order
     * @param running  imports started (or reporting progress) without an outcome yet
     * @param failures failed imports of families that have completed no import since
     */
    /** @param refused actions the cloud refused that no later change of the same action has made good */
    public record CloudStatus(String cloud, List<PlanComputed> plans, List<RunningImport> running,
                              List<ImportFailed> failures, List<ActionFailed> refused) {
        public CloudStatus {
            plans = List.copyOf(plans);
            running = List.copyOf(running);
            failures = List.copyOf(failures);
            refused = List.copyOf(refused);
        }
    }

    /**
     * An import without an outcome, as its last report has it.
     *
     * @param version    null when its start is no longer on the topic (only progress was seen)
     * @param attempt    0 when its start is no longer on the topic
     * @param started    when the current attempt started, or null (see {@code version})
     * @param updated    the last word from the importer: a stale one hints at an importer that is gone
     * @param totalBytes -1 when the source's size is unknown; so is {@code percent}
     */
    public record RunningImport(String cloud, String family, String actionId, String imageName, String version,
                                int attempt, String method, Instant started, Instant updated, long bytes,
                                long totalBytes, int percent, long bytesPerSecond, long etaSeconds) {
    }
}

package org.imagemanager.app.status;

import org.imagemanager.app.status.StatusReport.CloudStatus;
import org.imagemanager.app.status.StatusReport.RunningImport;
import org.imagemanager.app.status.StatusReport.SourceStatus;
import org.imagemanager.event.ActionFailed;
import org.imagemanager.event.ActionSkipped;
import org.imagemanager.event.LeftAlone;
import org.imagemanager.event.DefinitionsPublished;
import org.imagemanager.event.DefinitionsRejected;
import org.imagemanager.event.EventKeys;
import org.imagemanager.event.ImageChanged;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.ImportCompleted;
import org.imagemanager.event.ImportFailed;
import org.imagemanager.event.ImportProgress;
import org.imagemanager.event.ImportStarted;
import org.imagemanager.event.PlanComputed;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Events → {@link StatusReport}, nothing else: no clock, no broker. Events are taken in topic order. Everything
 * decided here is per record key (a family of a cloud, or a definitions source), and a key's records share a
 * partition, so the order across partitions does not matter.
 */
public final class StatusSummary {
    private final Map<String, DefinitionsPublished> published = new TreeMap<>();
    private final Map<String, DefinitionsRejected> rejected = new TreeMap<>();
    /** cloud → family → its last plan. */
    private final Map<String, Map<String, PlanComputed>> plans = new TreeMap<>();
    /** action id → the import's last report. */
    private final Map<String, RunningImport> running = new LinkedHashMap<>();
    /** cloud/family → action id → the action's last failure. */
    private final Map<String, Map<String, ImportFailed>> failures = new LinkedHashMap<>();
    /** action id → the cloud's refusal, until the same action is carried out. */
    private final Map<String, ActionFailed> refused = new LinkedHashMap<>();

    private StatusSummary() {
    }

    public static StatusReport of(List<ImageEvent> events) {
        StatusSummary summary = new StatusSummary();
        events.forEach(summary::accept);
        return summary.report(events.size());
    }

    private void accept(ImageEvent event) {
        switch (event) {
            case DefinitionsPublished p -> {
                published.put(p.source(), p);
                rejected.remove(p.source()); // a valid commit after the rejected one: nothing to mend any more
            }
            case DefinitionsRejected r -> rejected.put(r.source(), r);
            case PlanComputed p -> plans.computeIfAbsent(p.cloud(), c -> new TreeMap<>()).put(p.family(), p);
            case ImportStarted s -> running.put(s.actionId(), new RunningImport(s.cloud(), s.family(), s.actionId(),
                    s.imageName(), s.version(), s.attempt(), s.method(), s.time(), s.time(), 0, -1, -1, 0, -1));
            case ImportProgress p -> running.compute(p.actionId(), (id, last) -> progressed(last, p));
            case ImportCompleted c -> {
                running.remove(c.actionId());
                // the planner holds retirement back per family until one import of it completes; so does this
                failures.remove(EventKeys.of(c.cloud(), c.family()));
            }
            case ImportFailed f -> {
                running.remove(f.actionId());
                failures.computeIfAbsent(f.key(), k -> new LinkedHashMap<>()).put(f.actionId(), f);
            }
            case ImageChanged changed -> refused.remove(changed.actionId());
            case ActionSkipped ignored -> {
            }
            case LeftAlone ignored -> {
            }
            case ActionFailed failed -> refused.put(failed.actionId(), failed);
        }
    }

    private static RunningImport progressed(RunningImport last, ImportProgress p) {
        int percent = p.totalBytes() > 0 ? (int) (100 * p.bytes() / p.totalBytes()) : -1;
        return last == null
                ? new RunningImport(p.cloud(), p.family(), p.actionId(), p.imageName(), null, 0, null, null, p.time(),
                p.bytes(), p.totalBytes(), percent, p.bytesPerSecond(), p.etaSeconds())
                : new RunningImport(last.cloud(), last.family(), last.actionId(), last.imageName(), last.version(),
                last.attempt(), last.method(), last.started(), p.time(), p.bytes(), p.totalBytes(), percent,
                p.bytesPerSecond(), p.etaSeconds());
    }

    private StatusReport report(int events) {
        List<SourceStatus> sources = new ArrayList<>();
        TreeSet<String> sourceNames = new TreeSet<>(published.keySet());
        sourceNames.addAll(rejected.keySet());
        sourceNames.forEach(s -> sources.add(new SourceStatus(s, published.get(s), rejected.get(s))));

        TreeSet<String> clouds = new TreeSet<>(plans.keySet());
        running.values().forEach(r -> clouds.add(r.cloud()));
        failures.values().forEach(byAction -> byAction.values().forEach(f -> clouds.add(f.cloud())));
        refused.values().forEach(f -> clouds.add(f.cloud()));
        List<CloudStatus> perCloud = clouds.stream().map(cloud -> new CloudStatus(cloud,
                List.copyOf(plans.getOrDefault(cloud, Map.of()).values()),
                running.values().stream().filter(r -> r.cloud().equals(cloud)).toList(),
                failures.values().stream().flatMap(byAction -> byAction.values().stream())
                        .filter(f -> f.cloud().equals(cloud)).toList(),
                refused.values().stream().filter(f -> f.cloud().equals(cloud)).toList())).toList();
        return new StatusReport(sources, perCloud, events);
    }
}

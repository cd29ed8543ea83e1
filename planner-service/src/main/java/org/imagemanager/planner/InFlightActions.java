package org.imagemanager.planner;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Actions published and not yet answered. Every trigger re-plans, and a plan names again the actions still under
 * way; this keeps them from being published again while they run. An action whose worker went silent for
 * {@code redeliverAfter} is published again (the importer and rotator skip what is already done), and a failed
 * one only after {@code retryFailedAfter}, so a failing source is retried at a calm pace instead of in a loop.
 */
final class InFlightActions {
    private record Entry(Instant lastSign, boolean failed) {
    }

    private final Map<String, Entry> entries = new HashMap<>();
    private final Duration redeliverAfter;
    private final Duration retryFailedAfter;

    InFlightActions(Duration redeliverAfter, Duration retryFailedAfter) {
        this.redeliverAfter = redeliverAfter;
        this.retryFailedAfter = retryFailedAfter;
    }

    synchronized boolean shouldPublish(String actionId, Instant now) {
        Entry entry = entries.get(actionId);
        if (entry == null) {
            return true;
        }
        Duration wait = entry.failed() ? retryFailedAfter : redeliverAfter;
        return !now.isBefore(entry.lastSign().plus(wait));
    }

    synchronized void published(String actionId, Instant now) {
        entries.put(actionId, new Entry(now, false));
    }

    /** Its worker reported progress: still running. */
    synchronized void alive(String actionId, Instant now) {
        entries.computeIfPresent(actionId, (id, entry) -> entry.failed() ? entry : new Entry(now, false));
    }

    synchronized void failed(String actionId, Instant now) {
        entries.put(actionId, new Entry(now, true));
    }

    /** Carried out, or skipped as no longer needed: the next plan decides afresh. */
    synchronized void answered(String actionId) {
        entries.remove(actionId);
    }

    synchronized int size() {
        return entries.size();
    }
}

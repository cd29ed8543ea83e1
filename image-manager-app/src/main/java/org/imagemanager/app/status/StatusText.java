package org.imagemanager.app.status;

import org.imagemanager.app.status.StatusReport.CloudStatus;
import org.imagemanager.app.status.StatusReport.RunningImport;
import org.imagemanager.app.status.StatusReport.SourceStatus;
import org.imagemanager.definition.DefinitionError;
import org.imagemanager.event.DefinitionsPublished;
import org.imagemanager.event.DefinitionsRejected;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImportFailed;
import org.imagemanager.event.PlanComputed;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A {@link StatusReport} for people (plain-text tables) and for programs (JSON). */
public final class StatusText {
    private StatusText() {
    }

    public static String json(StatusReport report) {
        return EventJson.encode(report);
    }

    public static String table(StatusReport report) {
        StringBuilder text = new StringBuilder("definitions\n");
        section(text, "nothing published", null,
                new String[]{"SOURCE", "PUBLISHED", "COMMIT", "IMAGES", "CHANGED", "REMOVED"},
                report.definitions().stream().map(StatusText::sourceRow).toList());
        for (SourceStatus source : report.definitions()) {
            DefinitionsRejected r = source.rejected();
            if (r != null) {
                text.append(String.format("  REJECTED %s commit %s at %s, %d error(s); the previous state stays in force:\n",
                        r.source(), commit(r.commit()), time(r.time()), r.errors().size()));
                for (DefinitionError error : r.errors()) {
                    text.append("    ").append(error).append('\n');
                }
            }
        }
        if (report.clouds().isEmpty()) {
            text.append("\nno cloud has been planned\n");
        }
        for (CloudStatus cloud : report.clouds()) {
            text.append("\ncloud ").append(cloud.cloud()).append('\n');
            section(text, "no plan", null, new String[]{"FAMILY", "LAST PLAN", "ACTIONS", "IN PROGRESS", "UNCHANGED"},
                    cloud.plans().stream().map(StatusText::planRow).toList());
            section(text, "no import running", "imports running:",
                    new String[]{"IMAGE", "ATTEMPT", "PROGRESS", "RATE", "ETA", "LAST REPORT"},
                    cloud.running().stream().map(StatusText::runningRow).toList());
            section(text, "no failure", "failures (no import of the family completed since):",
                    new String[]{"IMAGE", "FAILED", "REASON", "MESSAGE"},
                    cloud.failures().stream().map(StatusText::failureRow).toList());
            if (!cloud.refused().isEmpty()) {
                section(text, "", "refused by the cloud (tried again later):",
                        new String[]{"ACTION", "REFUSED", "STATUS", "ANSWER"},
                        cloud.refused().stream().map(f -> new String[]{f.action(), time(f.time()),
                                String.valueOf(f.status()), f.reason()}).toList());
            }
        }
        return text.toString();
    }

    private static String[] sourceRow(SourceStatus source) {
        DefinitionsPublished p = source.lastPublished();
        return p == null ? new String[]{source.source(), "never", "", "", "", ""}
                : new String[]{source.source(), time(p.time()), commit(p.commit()), count(p.images()),
                count(p.changed()), count(p.removed())};
    }

    private static String[] planRow(PlanComputed plan) {
        return new String[]{plan.family(), time(plan.time()), count(plan.actions()), count(plan.inProgress()),
                String.valueOf(plan.unchanged())};
    }

    private static String[] runningRow(RunningImport r) {
        String progress = r.percent() >= 0 ? r.percent() + "% of " + mib(r.totalBytes()) : mib(r.bytes());
        return new String[]{r.imageName(), r.attempt() > 0 ? String.valueOf(r.attempt()) : "?", progress,
                mib(r.bytesPerSecond()) + "/s", r.etaSeconds() >= 0 ? r.etaSeconds() + " s" : "?", time(r.updated())};
    }

    private static String[] failureRow(ImportFailed f) {
        String detail = f.expected() != null || f.actual() != null
                ? " (expected " + f.expected() + ", got " + f.actual() + ")" : "";
        return new String[]{f.imageName(), time(f.time()), String.valueOf(f.reason()), f.message() + detail};
    }

    /** A table under an optional title, or one line saying there is nothing. */
    private static void section(StringBuilder text, String none, String title, String[] header, List<String[]> rows) {
        if (rows.isEmpty()) {
            text.append("  ").append(none).append('\n');
            return;
        }
        if (title != null) {
            text.append("  ").append(title).append('\n');
        }
        List<String[]> lines = new ArrayList<>();
        lines.add(header);
        lines.addAll(rows);
        columns(text, lines);
    }

    /** Left-aligned columns, two spaces apart; the last one is not padded (it is where long texts go). */
    private static void columns(StringBuilder text, List<String[]> rows) {
        int[] widths = new int[rows.getFirst().length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
    }

    private static String time(Instant time) {
        return time == null ? "?" : time.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String commit(String commit) {
        return commit == null ? "-" : commit.length() > 12 ? commit.substring(0, 12) : commit;
    }

    private static String count(List<?> list) {
        return String.valueOf(list.size());
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}

package org.imagemanager.plan;

import org.imagemanager.event.AddImageMember;
import org.imagemanager.event.Blocked;
import org.imagemanager.event.Deactivate;
import org.imagemanager.event.DeleteImage;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImportImage;
import org.imagemanager.event.Reactivate;
import org.imagemanager.event.RemoveImageMember;
import org.imagemanager.event.RemoveProperties;
import org.imagemanager.event.RenameImage;
import org.imagemanager.event.SetHidden;
import org.imagemanager.event.SetMinimums;
import org.imagemanager.event.SetTags;
import org.imagemanager.event.SetVisibility;
import org.imagemanager.event.UpdateProperties;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A plan rendered for people (a table) and for programs (JSON). */
public final class PlanReport {
    private PlanReport() {
    }

    /** One row: which image, what happens, from → to, and why. */
    public record Row(String cloud, String family, String image, String action, String from, String to, String reason) {
    }

    public static List<Row> rows(Plan plan) {
        List<Row> rows = new ArrayList<>();
        for (FamilyPlan family : plan.families()) {
            for (ImageAction action : family.actions()) {
                rows.add(row(plan.cloud(), family.family(), action));
            }
            for (String running : family.inProgress()) {
                rows.add(new Row(plan.cloud(), family.family(), running, "wait", "", "", "import in progress"));
            }
        }
        return rows;
    }

    static Row row(String cloud, String family, ImageAction action) {
        return switch (action) {
            case ImportImage a -> new Row(cloud, family, a.imageName(), "import", "", a.mirrorUrl() != null ? a.mirrorUrl() : a.url(), "version " + a.version() + " is missing");
            case RenameImage a -> new Row(cloud, family, a.fromName(), "rename", a.fromName(), a.toName(), "naming rule");
            case SetVisibility a -> new Row(cloud, family, a.imageName(), "visibility", a.from(), a.to(), "community".equals(a.to()) ? "retired (hide)" : "defined visibility");
            case UpdateProperties a -> new Row(cloud, family, a.imageName(), "set properties", "", String.join(", ", new java.util.TreeSet<>(a.set().keySet())), "definition changed");
            case RemoveProperties a -> new Row(cloud, family, a.imageName(), "remove properties", String.join(", ", a.keys()), "", "no longer defined");
            case SetTags a -> new Row(cloud, family, a.imageName(), "tags", String.join(", ", a.remove()), String.join(", ", a.add()), "defined tags");
            case SetMinimums a -> new Row(cloud, family, a.imageName(), "minimums", "", "min_disk " + a.minDisk() + ", min_ram " + a.minRam(), "definition or real size");
            case SetHidden a -> new Row(cloud, family, a.imageName(), "os_hidden", String.valueOf(!a.hidden()), String.valueOf(a.hidden()), "only the newest is listed");
            case Deactivate a -> new Row(cloud, family, a.imageName(), "deactivate", "active", "deactivated", a.reason());
            case Reactivate a -> new Row(cloud, family, a.imageName(), "reactivate", "deactivated", "active", "defined status");
            case DeleteImage a -> new Row(cloud, family, a.imageName(), "delete", "", "", a.reason());
            case AddImageMember a -> new Row(cloud, family, a.imageName(), "share", a.from() == null ? "" : a.projectId() + ": " + a.from(),
                    a.projectId() + ": " + (a.accept() ? "accepted" : "pending"), "share options");
            case RemoveImageMember a -> new Row(cloud, family, a.imageName(), "unshare", a.projectId(), "", "not in the share options");
            case Blocked a -> new Row(cloud, family, a.imageName() == null ? "" : a.imageName(), "BLOCKED", "", "", a.reason());
        };
    }

    public static String table(Plan plan) {
        List<Row> rows = rows(plan);
        StringBuilder text = new StringBuilder();
        if (rows.isEmpty()) {
            text.append("cloud ").append(plan.cloud()).append(": in line, nothing to do\n");
        } else {
            String[] header = {"CLOUD", "IMAGE", "ACTION", "FROM", "TO", "REASON"};
            List<String[]> cells = new ArrayList<>();
            cells.add(header);
            rows.forEach(r -> cells.add(new String[]{r.cloud(), r.image(), r.action(), r.from(), r.to(), r.reason()}));
            int[] widths = new int[header.length];
            for (String[] line : cells) {
                for (int i = 0; i < line.length; i++) {
                    widths[i] = Math.min(60, Math.max(widths[i], line[i].length()));
                }
            }
            for (String[] line : cells) {
                for (int i = 0; i < line.length; i++) {
                    boolean last = i == line.length - 1; // the reason is never cut: it says what to do
                    String cell = !last && line[i].length() > 60 ? line[i].substring(0, 59) + "…" : line[i];
                    text.append(i == line.length - 1 ? cell : String.format("%-" + widths[i] + "s  ", cell));
                }
                text.append('\n');
            }
        }
        for (AgeReport.Finding finding : plan.ageReport()) {
            text.append(String.format("AGE  %s: newest build %s is %d days old (max %d)%n", finding.family(),
                    finding.newestBuild(), finding.ageDays(), finding.maxAgeDays()));
        }
        return text.toString();
    }

    public static String json(Plan plan) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("cloud", plan.cloud());
        json.put("inLine", plan.inLine());
        json.put("rows", rows(plan));
        // each action through its sealed type, so that every entry carries its "type"
        json.put("actions", plan.actions().stream().map(EventJson::actionTree).toList());
        json.put("ageReport", plan.ageReport());
        return EventJson.encode(json);
    }
}

package org.imagemanager.bench;

import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.definition.VersionDefinition;
import org.imagemanager.plan.ImageProperties;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.plan.Plan;
import org.imagemanager.plan.PlanOptions;
import org.imagemanager.plan.Reconciler;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans 1,000 definitions × 5 versions against 5,000 observed images (the size of a large cloud's catalogue) and
 * prints how long one plan takes. The cloud is almost in line (every fifth image drifted), so the plan does the
 * full comparison work and produces real actions.
 */
public final class PlanBenchmark {
    private static final int DEFINITIONS = 1_000;
    private static final int VERSIONS = 5;
    private static final String TAG = PlanOptions.DEFAULT_MANAGEMENT_TAG;

    public static void main(String[] args) {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        List<ImageDefinition> definitions = definitions();
        Instant now = Instant.parse("2026-11-27T00:00:00Z");
        PlanOptions options = PlanOptions.builder("bench", now).hide(true).build();
        List<ObservedImage> observed = observedFromAnEmptyCloudPlan(definitions, options);
        System.out.printf("definitions: %d × %d versions, observed images: %d%n", DEFINITIONS, VERSIONS, observed.size());

        int actions = 0;
        for (int i = 0; i < 10; i++) { // warm-up: let the JIT compile the planner
            actions = Reconciler.plan(definitions, observed, options).actions().size();
        }
        long[] nanos = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            Plan plan = Reconciler.plan(definitions, observed, options);
            nanos[i] = System.nanoTime() - start;
            actions = plan.actions().size();
        }
        Arrays.sort(nanos);
        System.out.printf("actions planned: %d%n", actions);
        System.out.printf("plan time over %d runs: min %.1f ms, median %.1f ms, p90 %.1f ms, max %.1f ms%n", iterations,
                nanos[0] / 1e6, nanos[iterations / 2] / 1e6, nanos[(int) (iterations * 0.9)] / 1e6, nanos[iterations - 1] / 1e6);
        Runtime rt = Runtime.getRuntime();
        System.out.printf("heap used after runs: %d MiB%n", (rt.totalMemory() - rt.freeMemory()) >> 20);
    }

    static List<ImageDefinition> definitions() {
        List<ImageDefinition> definitions = new ArrayList<>();
        for (int d = 0; d < DEFINITIONS; d++) {
            List<VersionDefinition> versions = new ArrayList<>();
            for (int v = 0; v < VERSIONS; v++) {
                String version = "2026" + String.format("%02d", v + 1) + "01";
                versions.add(new VersionDefinition(version, "https://images.example.org/os-" + d + "/" + version + ".qcow2",
                        null, "sha256:" + "ab".repeat(32), null, null, "2026-" + String.format("%02d", v + 1) + "-01",
                        null, null, null, Map.of(), null, null, null));
            }
            Map<String, Object> meta = new HashMap<>();
            meta.put("architecture", "x86_64");
            meta.put("os_distro", "ubuntu");
            meta.put("os_version", "24.04");
            meta.put("hw_disk_bus", "scsi");
            meta.put("uuid_validity", "last-3");
            definitions.add(new ImageDefinition("OS " + d, true, "qcow2", "ubuntu", null, 8, 512, "active", "public",
                    d % 2 == 0, null, null, null, null, null, List.of(), meta, versions));
        }
        return definitions;
    }

    /** The images an import of every version would have made, with every fifth one drifted (renamed, made private). */
    static List<ObservedImage> observedFromAnEmptyCloudPlan(List<ImageDefinition> definitions, PlanOptions options) {
        List<ObservedImage> observed = new ArrayList<>();
        int n = 0;
        for (var action : Reconciler.plan(definitions, List.of(), options).executable()) {
            if (action instanceof org.imagemanager.event.ImportImage imp) {
                boolean drifted = n % 5 == 0;
                Map<String, String> properties = new HashMap<>(imp.properties());
                observed.add(new ObservedImage("id-" + n, drifted ? imp.imageName() + " old" : imp.imageName(), "active",
                        drifted ? "private" : "public", imp.diskFormat(), properties, imp.tags(),
                        Instant.parse("2026-01-01T00:00:00Z").plusSeconds(n), null, 300L << 20, imp.minDisk(), imp.minRam(), false));
                n++;
            }
        }
        if (observed.stream().anyMatch(i -> i.property(ImageProperties.FAMILY) == null)) {
            throw new IllegalStateException("imports must carry the family property");
        }
        return observed;
    }
}

package org.imagemanager.app;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The share flags reach the planner service as its {@code image-manager.plan.share-*} settings. */
class PlanFlagsTest {
    private static Map<String, Object> parsed(String... args) {
        PlanFlags flags = new PlanFlags();
        new CommandLine(flags).parseArgs(args);
        return flags.properties();
    }

    @Test
    void shareFlagsBecomeThePlannersShareSettings() {
        Map<String, Object> p = parsed("--share-project", "demo", "--share-project", "4f1c", "--share-domain", "partners",
                "--no-share-accept");

        assertEquals(List.of("demo", "4f1c"), p.get("image-manager.plan.share-projects"));
        assertEquals(List.of("partners"), p.get("image-manager.plan.share-domains"));
        assertEquals(false, p.get("image-manager.plan.share-accept"));
    }

    @Test
    void withoutShareFlagsNothingIsSharedAndAcceptingIsTheDefault() {
        Map<String, Object> p = parsed();

        assertEquals(List.of(), p.get("image-manager.plan.share-projects"));
        assertEquals(List.of(), p.get("image-manager.plan.share-domains"));
        assertEquals(true, p.get("image-manager.plan.share-accept"));
    }
}

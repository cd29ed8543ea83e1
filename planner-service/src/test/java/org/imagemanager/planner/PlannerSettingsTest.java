package org.imagemanager.planner;

import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.definition.VersionDefinition;
import org.imagemanager.plan.PlanOptions;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Without share options the Keystone edge ({@code Clouds}) is never asked: these tests pass none. */
class PlannerSettingsTest {
    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

    @Test
    void eachCloudHasItsOwnRetirementPolicyOverTheCommonOne() {
        PlannerSettings.Options common = new PlannerSettings.Options();
        common.hide = true;
        PlannerSettings settings = new PlannerSettings("prod, lab", "managed", common, properties(Map.of(
                "image-manager.cloud-options.lab.delete", "true",
                "image-manager.cloud-options.lab.confirm-delete", "true",
                "image-manager.cloud-options.lab.hide", "false")), null);
        PlanOptions prod = settings.options("prod", NOW, "p1");
        PlanOptions lab = settings.options("lab", NOW, "p2");
        assertTrue(prod.hide());
        assertFalse(prod.delete());
        assertFalse(lab.hide());
        assertTrue(lab.delete() && lab.confirmDelete());
        assertEquals(List.of("prod", "lab"), settings.clouds());
    }

    @Test
    void aCloudVisibilityAppliesToEveryImageAndVersionThere() {
        PlannerSettings settings = new PlannerSettings("lab", "managed", new PlannerSettings.Options(),
                properties(Map.of("image-manager.cloud-options.lab.visibility", "private")), null);
        VersionDefinition v = new VersionDefinition("1", "http://x/1.img", null, "sha256:" + "a".repeat(64), null, null,
                null, "public", null, null, null, null, null, null);
        ImageDefinition d = new ImageDefinition("Ubuntu", null, "qcow2", "ubuntu", null, 1, 64, "active", "public",
                true, null, null, null, null, null, List.of(), Map.of("os_distro", "ubuntu"), List.of(v));
        ImageDefinition applied = settings.cloudOptions("lab").apply(d);
        assertEquals("private", applied.visibility());
        assertNull(applied.versions().getFirst().visibility());
        assertEquals(d.meta(), applied.meta());
        assertSame(d, CloudOptions.none().apply(d));
    }

    @Test
    void anUnknownCloudVisibilityIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new PlannerSettings("lab", "m",
                new PlannerSettings.Options(), properties(Map.of("image-manager.cloud-options.lab.visibility", "everyone")), null));
        assertTrue(e.getMessage().contains("image-manager.cloud-options.lab.visibility"), e.getMessage());
    }

    private static java.util.function.Function<String, Optional<String>> properties(Map<String, String> values) {
        return key -> Optional.ofNullable(values.get(key));
    }

    /**
     * The command line reads the options with Options.from (the planner service has Micronaut bind them): every
     * option, under its configuration name, is read (each differs from its default here).
     */
    @Test
    void optionsFromPropertiesReadsEveryOption() throws Exception {
        Map<String, Object> given = new java.util.HashMap<>();
        given.put("image-manager.plan.project-id", "p-42");
        given.put("image-manager.plan.filter", "Ubuntu.*");
        given.put("image-manager.plan.latest", true);
        given.put("image-manager.plan.keep", true);
        given.put("image-manager.plan.deactivate", true);
        given.put("image-manager.plan.hide", true);
        given.put("image-manager.plan.delete", true);
        given.put("image-manager.plan.confirm-delete", true);
        given.put("image-manager.plan.force", true);
        given.put("image-manager.plan.use-os-hidden", true);
        given.put("image-manager.plan.visible-builds", 5);
        given.put("image-manager.plan.stale-import", "3h");
        given.put("image-manager.plan.resync-interval", "7m");
        given.put("image-manager.plan.redeliver-after", "20m");
        given.put("image-manager.plan.retry-failed-after", "11m");
        given.put("image-manager.plan.share-projects", List.of("a", "b"));
        given.put("image-manager.plan.share-domains", List.of("d"));
        given.put("image-manager.plan.share-accept", false);
        given.put("image-manager.plan.max-age", "30d");
        PlannerSettings.Options read = PlannerSettings.Options.from(key -> Optional.ofNullable(given.get(key))
                .map(v -> v instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList()) : String.valueOf(v)));
        PlannerSettings.Options defaults = new PlannerSettings.Options();
        int fields = 0;
        for (java.lang.reflect.Field field : PlannerSettings.Options.class.getFields()) {
            if (!java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                assertNotEquals(field.get(defaults), field.get(read), field.getName() + " was not read");
                fields++;
            }
        }
        assertEquals(given.size(), fields, "every option is given here");
        assertEquals(java.time.Duration.ofHours(3), read.staleImport);
        assertEquals(java.time.Duration.ofDays(30), read.maxAge);
        assertEquals(List.of("a", "b"), read.shareProjects);
    }
}

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
}

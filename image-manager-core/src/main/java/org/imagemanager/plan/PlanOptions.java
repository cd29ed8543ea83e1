package org.imagemanager.plan;

import java.time.Duration;
import java.time.Instant;

/**
 * @param managementTag the tag that marks images we manage; images without it are never touched
 * @param now           the time of planning (injected so that the planner stays a pure function)
 * @param staleImport   an import still not finished after this long is considered dead and planned again
 */
public record PlanOptions(String managementTag, Instant now, Duration staleImport) {
    public static final String DEFAULT_MANAGEMENT_TAG = "managed_by_image_manager";

    public static PlanOptions defaults(Instant now) {
        return new PlanOptions(DEFAULT_MANAGEMENT_TAG, now, Duration.ofHours(2));
    }
}

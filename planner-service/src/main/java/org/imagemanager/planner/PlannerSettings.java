package org.imagemanager.planner;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

import java.util.Arrays;
import java.util.List;

/**
 * @param clouds        the clouds ({@code clouds.yaml} names) the definitions apply to: {@code image-manager.clouds}
 * @param managementTag the tag that marks managed images: {@code image-manager.management-tag}
 */
@Singleton
public record PlannerSettings(
        @Value("${image-manager.clouds:}") String cloudList,
        @Value("${image-manager.management-tag:managed_by_image_manager}") String managementTag) {

    public List<String> clouds() {
        return Arrays.stream(cloudList.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}

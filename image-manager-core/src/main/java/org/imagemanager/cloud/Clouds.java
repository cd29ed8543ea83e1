package org.imagemanager.cloud;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.imagemanager.glance.GlanceClient;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link GlanceClient} per cloud name, read from clouds.yaml on first use. {@code image-manager.clouds-file}
 * names a clouds.yaml explicitly (it takes the place of {@code OS_CLIENT_CONFIG_FILE}).
 */
@Singleton
public class Clouds {
    private final Map<String, GlanceClient> clients = new ConcurrentHashMap<>();
    private final Map<String, String> environment;

    public Clouds(@Value("${image-manager.clouds-file:}") String cloudsFile) {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (cloudsFile != null && !cloudsFile.isBlank()) {
            env.put("OS_CLIENT_CONFIG_FILE", cloudsFile);
        }
        this.environment = Map.copyOf(env);
    }

    public GlanceClient glance(String cloudName) {
        return clients.computeIfAbsent(cloudName, name -> new GlanceClient(CloudsYaml.load(name, environment)));
    }
}

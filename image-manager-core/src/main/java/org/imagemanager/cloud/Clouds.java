package org.imagemanager.cloud;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.imagemanager.glance.Glance;
import org.imagemanager.glance.GlanceClient;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link Glance} per cloud name: a {@link GlanceClient} read from clouds.yaml on first use. {@code image-manager.clouds-file}
 * names a clouds.yaml explicitly (it takes the place of {@code OS_CLIENT_CONFIG_FILE}).
 */
@Singleton
public class Clouds {
    private final Map<String, Glance> clients = new ConcurrentHashMap<>();
    private final java.util.function.Function<String, Glance> connect;

    @jakarta.inject.Inject
    public Clouds(@Value("${image-manager.clouds-file:}") String cloudsFile) {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (cloudsFile != null && !cloudsFile.isBlank()) {
            env.put("OS_CLIENT_CONFIG_FILE", cloudsFile);
        }
        Map<String, String> environment = Map.copyOf(env);
        this.connect = name -> new GlanceClient(CloudsYaml.load(name, environment));
    }

    /** Clouds served by {@code connect} (tests: an in-memory Glance per cloud name). */
    public Clouds(java.util.function.Function<String, Glance> connect) {
        this.connect = connect;
    }

    public Glance glance(String cloudName) {
        return clients.computeIfAbsent(cloudName, connect);
    }
}

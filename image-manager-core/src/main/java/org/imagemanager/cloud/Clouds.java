package org.imagemanager.cloud;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.imagemanager.glance.Glance;
import org.imagemanager.glance.GlanceClient;
import org.imagemanager.source.SourceFetcher;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One {@link Glance} per cloud name, a {@link GlanceClient} read from clouds.yaml on first use, and the fetcher of the
 * sources of images imported into that cloud (its {@code cacert}/{@code verify} apply to https sources too).
 * {@code image-manager.clouds-file} names a clouds.yaml explicitly (it takes the place of {@code OS_CLIENT_CONFIG_FILE}).
 */
@Singleton
public class Clouds implements AutoCloseable {
    private final Map<String, Glance> clients = new ConcurrentHashMap<>();
    private final Map<String, SourceFetcher> sources = new ConcurrentHashMap<>();
    private final Function<String, Glance> connect;
    private final Function<String, SourceFetcher> sourcesOf;

    @jakarta.inject.Inject
    public Clouds(@Value("${image-manager.clouds-file:}") String cloudsFile) {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (cloudsFile != null && !cloudsFile.isBlank()) {
            env.put("OS_CLIENT_CONFIG_FILE", cloudsFile);
        }
        Map<String, String> environment = Map.copyOf(env);
        this.connect = name -> new GlanceClient(CloudsYaml.load(name, environment));
        this.sourcesOf = name -> {
            CloudConfig cloud = CloudsYaml.load(name, environment);
            return new SourceFetcher(CloudTls.sourceContext(cloud), cloud.tls().verify()
                    ? (cloud.tls().cacert() == null ? "the JDK's trust store" : "the JDK's trust store and cacert " + cloud.tls().cacert()
                    + " of cloud '" + name + "'") : "nothing is trusted with verify: false");
        };
    }

    /** Clouds served by {@code connect} (tests: an in-memory Glance per cloud name); sources checked as the JDK does. */
    public Clouds(Function<String, Glance> connect) {
        this.connect = connect;
        SourceFetcher jdk = new SourceFetcher();
        this.sourcesOf = name -> jdk;
    }

    public Glance glance(String cloudName) {
        return clients.computeIfAbsent(cloudName, connect);
    }

    /** Ends every client's connections. */
    @Override
    public void close() {
        clients.values().forEach(Glance::close);
        sources.values().forEach(SourceFetcher::close);
    }

    /** The fetcher for sources of images imported into this cloud (one per cloud, its connections pooled). */
    public SourceFetcher sources(String cloudName) {
        return sources.computeIfAbsent(cloudName, sourcesOf);
    }
}

package org.imagemanager.source;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.imagemanager.definition.DefinitionSchema;
import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.definition.VersionDefinition;
import org.imagemanager.plan.Upstream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The I/O edge for {@code latest} versions: what upstream publishes now (digest from checksum_url or checksums_url,
 * day from {@code Last-Modified}), resolved before planning so that the plan stays pure. An upstream that cannot be
 * read is left out: the plan then blocks the family's {@code latest} and leaves the current build alone.
 */
@Singleton
public class UpstreamResolver {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamResolver.class);

    private record Source(String url, String checksumUrl, String checksumsUrl) {
    }

    private record Resolved(Upstream upstream, Instant at) {
    }

    private final SourceFetcher sources;
    private final Clock clock;
    private final Duration cacheFor;
    /** Answers upstream gave lately: every trigger and every resync plans again, upstream need not hear of each. */
    private final Map<Source, Resolved> recent = new ConcurrentHashMap<>();

    @Inject
    public UpstreamResolver(SourceFetcher sources, @Value("${image-manager.plan.upstream-cache:60s}") Duration cacheFor) {
        this(sources, Clock.systemUTC(), cacheFor);
    }

    UpstreamResolver(SourceFetcher sources, Clock clock, Duration cacheFor) {
        this.sources = sources;
        this.clock = clock;
        this.cacheFor = cacheFor;
    }

    public Map<String, Upstream> resolve(Collection<ImageDefinition> definitions) {
        Map<String, Upstream> upstream = new HashMap<>();
        for (ImageDefinition definition : definitions) {
            definition.versions().stream()
                    .filter(v -> DefinitionSchema.LATEST.equals(v.version()))
                    .findFirst()
                    .flatMap(v -> resolve(definition, v))
                    .ifPresent(u -> upstream.put(definition.name(), u));
        }
        return upstream;
    }

    Optional<Upstream> resolve(ImageDefinition definition, VersionDefinition version) {
        Source source = new Source(version.url(), version.checksumUrl(), version.checksumsUrl());
        Resolved known = recent.get(source);
        if (known != null && clock.instant().isBefore(known.at().plus(cacheFor))) {
            return Optional.of(known.upstream());
        }
        Optional<Upstream> fresh = fetch(definition, version);
        // only answers are kept: an upstream that failed is asked again at the next plan
        fresh.ifPresent(upstream -> recent.put(source, new Resolved(upstream, clock.instant())));
        return fresh;
    }

    private Optional<Upstream> fetch(ImageDefinition definition, VersionDefinition version) {
        try {
            Optional<String> checksum = sources.publishedDigest(version.checksumUrl(), version.checksumsUrl(), version.url());
            if (checksum.isEmpty()) {
                LOG.warn("image={}: no digest for 'latest' found upstream", definition.name());
                return Optional.empty();
            }
            LocalDate day = sources.lastModified(version.url()).orElse(LocalDate.now(clock.withZone(ZoneOffset.UTC)));
            return Optional.of(new Upstream(checksum.get(), day));
        } catch (SourceFetcher.SourceException e) {
            LOG.warn("image={}: upstream of 'latest' not readable: {}", definition.name(), e.getMessage());
            return Optional.empty();
        }
    }
}

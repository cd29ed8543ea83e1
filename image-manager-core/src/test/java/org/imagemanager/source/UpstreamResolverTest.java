package org.imagemanager.source;

import com.sun.net.httpserver.HttpServer;
import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.definition.VersionDefinition;
import org.imagemanager.plan.Upstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code latest} against a real (local) HTTP upstream: a SHA256SUMS file and the image's Last-Modified. */
class UpstreamResolverTest {
    private static final String SUMS_V1 = "aaaa" + "0".repeat(60) + "  other.img\n" + "1".repeat(64) + "  noble.img\n";
    private static final String SUMS_V2 = "2".repeat(64) + " *noble.img\n";

    private HttpServer server;
    private final AtomicReference<String> sums = new AtomicReference<>(SUMS_V1);
    private final AtomicInteger sumsRequests = new AtomicInteger();
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-27T10:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        server.createContext("/SHA256SUMS", exchange -> {
            try (exchange) {
                sumsRequests.incrementAndGet();
                byte[] body = sums.get().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.createContext("/noble.img", exchange -> {
            try (exchange) {
                exchange.getResponseHeaders().add("Last-Modified", "Tue, 24 Nov 2026 08:00:00 GMT");
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void latestIsTheDigestOfTheSumsLineForTheFileAndTheDayItWasPublished() {
        Map<String, Upstream> upstream = resolver(Duration.ZERO).resolve(List.of(latest("Ubuntu 24.04", "/SHA256SUMS")));
        assertEquals(new Upstream("sha256:" + "1".repeat(64), LocalDate.of(2026, 11, 24)), upstream.get("Ubuntu 24.04"));
    }

    @Test
    void anUnreadableUpstreamIsLeftOutSoThePlanBlocksThatFamilyOnly() {
        Map<String, Upstream> upstream = resolver(Duration.ZERO).resolve(List.of(latest("Gone", "/missing"),
                latest("Ubuntu 24.04", "/SHA256SUMS")));
        assertEquals(List.of("Ubuntu 24.04"), List.copyOf(upstream.keySet()));
    }

    @Test
    void answersAreReusedForAShortWhileThenAskedAgain() {
        UpstreamResolver resolver = resolver(Duration.ofSeconds(60));
        ImageDefinition definition = latest("Ubuntu 24.04", "/SHA256SUMS");
        resolver.resolve(List.of(definition));
        sums.set(SUMS_V2);
        now.set(now.get().plusSeconds(30));
        assertEquals("sha256:" + "1".repeat(64), resolver.resolve(List.of(definition)).get("Ubuntu 24.04").checksum());
        assertEquals(1, sumsRequests.get(), "a re-plan within the minute asks upstream nothing");

        now.set(now.get().plusSeconds(31));
        assertEquals("sha256:" + "2".repeat(64), resolver.resolve(List.of(definition)).get("Ubuntu 24.04").checksum());
        assertTrue(sumsRequests.get() == 2, "asked again after the minute");
    }

    private UpstreamResolver resolver(Duration cacheFor) {
        return new UpstreamResolver(new SourceFetcher(), clock, cacheFor);
    }

    private ImageDefinition latest(String name, String sumsPath) {
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        VersionDefinition latest = new VersionDefinition("latest", base + "/noble.img", null, null, null,
                base + sumsPath, null, null, null, null, null, null, null, null);
        return new ImageDefinition(name, null, "qcow2", "ubuntu", null, 8, 512, "active", "public", true, null, null,
                null, null, null, List.of(), Map.of("os_distro", "ubuntu"), List.of(latest));
    }
}

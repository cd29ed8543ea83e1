package org.imagemanager.importer;

import com.sun.net.httpserver.HttpServer;
import org.imagemanager.cloud.Clouds;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.ImportCompleted;
import org.imagemanager.event.ImportImage;
import org.imagemanager.glance.Glance;
import org.imagemanager.plan.ImageProperties;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.testsupport.DevCloud;
import org.imagemanager.testsupport.RecordingPublisher;
import org.imagemanager.testsupport.TestImages;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keystone tokens that expire in the middle of the work: the dev cloud's second Keystone ({@code dev-short-token},
 * same users and keys) issues tokens that live 60 s; imports that take longer than that, by the plain upload and by
 * glance-direct, complete, and the client goes on working with the cloud afterwards.
 */
class TokenRenewalIT {
    private static final String CLOUD = "dev-short-token";

    @Test
    void importsLongerThanATokensLifetimeComplete() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        byte[] data = new byte[2 << 20];
        new Random(12).nextBytes(data);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        server.createContext("/", exchange -> {
            try (exchange; OutputStream out = exchange.getResponseBody()) {
                exchange.sendResponseHeaders(200, data.length);
                int chunk = 64 << 10;
                for (int offset = 0; offset < data.length; offset += chunk) { // 32 chunks, 2.5 s apart: 80 s in all
                    out.write(data, offset, Math.min(chunk, data.length - offset));
                    out.flush();
                    Thread.sleep(2_500);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        String tag = "im-token-" + id;
        Clouds clouds = new Clouds(DevCloud.cloudsFile().toString());
        Glance glance = clouds.glance(CLOUD);
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/slow.raw";
            List<CompletableFuture<ImageEvent>> imports = List.of("upload", "glance-direct").stream()
                    .map(method -> CompletableFuture.supplyAsync(() -> new ImportService(clouds, new RecordingPublisher(), settings(method))
                            .importImage(action(id, method, url, sha256, tag)), Executors.newSingleThreadExecutor()))
                    .toList();
            for (CompletableFuture<ImageEvent> running : imports) {
                ImportCompleted done = assertInstanceOf(ImportCompleted.class, running.get());
                assertTrue(done.durationMillis() > 70_000, "the import outlived a 60 s token: " + done.durationMillis() + " ms");
                ObservedImage image = glance.get(done.imageId()).orElseThrow();
                assertEquals("active", image.status(), done.method() + ": " + image);
                try (InputStream bytes = glance.download(done.imageId())) {
                    assertEquals(sha256, TestImages.sha256(bytes), done.method());
                }
            }
            assertEquals(2, glance.listImages(tag).size(), "both imports, once each");
        } finally {
            server.stop(0);
            glance.listImages(tag).forEach(image -> glance.delete(image.id()));
        }
    }

    private static ImportSettings settings(String method) {
        ImportSettings settings = new ImportSettings();
        settings.method = method;
        settings.attempts = 1;
        settings.pollInterval = Duration.ofMillis(500);
        return settings;
    }

    private static ImportImage action(String id, String method, String url, String sha256, String tag) {
        String family = "Token " + id + " " + method;
        return new ImportImage("token-" + id + "-" + method, CLOUD, family, "1", family + " 1", url, null, "sha256:" + sha256,
                null, null, "raw", 1, 64, Map.of(ImageProperties.FAMILY, family, ImageProperties.INTERNAL_VERSION, "1"),
                List.of(tag), null);
    }
}

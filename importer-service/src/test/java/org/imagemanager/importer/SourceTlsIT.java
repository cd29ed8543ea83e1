package org.imagemanager.importer;

import org.imagemanager.cloud.Clouds;
import org.imagemanager.event.FailureReason;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.ImportCompleted;
import org.imagemanager.event.ImportFailed;
import org.imagemanager.event.ImportImage;
import org.imagemanager.glance.Glance;
import org.imagemanager.plan.ImageProperties;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.testsupport.DevCloud;
import org.imagemanager.testsupport.FileServer;
import org.imagemanager.testsupport.RecordingPublisher;
import org.imagemanager.testsupport.TestCertificates;
import org.imagemanager.testsupport.TestImages;
import org.imagemanager.testsupport.TlsProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cloud's {@code cacert} and {@code verify} apply to the https sources of the images imported into it: a source
 * behind a private CA (a local TLS proxy with a CA the test makes) is imported with that CA as cacert or with
 * verify: false, and refused, naming the certificate and the trust that refused it, without it or with another CA.
 */
class SourceTlsIT {
    @TempDir
    Path work;
    final String id = UUID.randomUUID().toString().substring(0, 8);
    final String tag = "im-source-tls-" + id;
    final Glance glance = DevCloud.glance(DevCloud.ADMIN_CLOUD);

    @AfterEach
    void tearDown() {
        glance.listImages(tag).forEach(image -> glance.delete(image.id()));
    }

    @Test
    void httpsSourcesAreCheckedWithTheCloudsCacertOrVerifyFalse() throws Exception {
        Path files = Files.createDirectories(work.resolve("files"));
        String sha = TestImages.sha256(TestImages.qcow2(files, "disk.qcow2", 16));
        TestCertificates ca = TestCertificates.create(work.resolve("tls"), "Source Test CA " + id);
        TestCertificates other = TestCertificates.create(work.resolve("other"), "Another CA " + id);
        Path cloudsFile = work.resolve("clouds.yaml");
        String cloud = """
                  %s:
                    auth:
                      auth_url: http://127.0.0.1:5000/v3
                      username: admin
                      password: '%s'
                      project_name: admin
                      user_domain_name: Default
                      project_domain_name: Default
                    region_name: RegionOne
                """;
        String password = DevCloud.adminPassword();
        Files.writeString(cloudsFile, "clouds:\n"
                + cloud.formatted("with-ca", password) + "    cacert: " + ca.caPem() + "\n"
                + cloud.formatted("jdk-only", password)
                + cloud.formatted("other-ca", password) + "    cacert: " + other.caPem() + "\n"
                + cloud.formatted("unverified", password) + "    verify: false\n");
        Clouds clouds = new Clouds(cloudsFile.toString());
        ImportService importer = new ImportService(clouds, new RecordingPublisher(), settings());

        try (FileServer server = FileServer.serve(files); TlsProxy tls = TlsProxy.start(ca, URI.create(server.url("disk.qcow2")).getPort())) {
            String https = "https://127.0.0.1:" + tls.port() + "/disk.qcow2";

            ImportCompleted done = assertInstanceOf(ImportCompleted.class, importer.importImage(action("with-ca", https, sha)));
            ObservedImage image = glance.get(done.imageId()).orElseThrow();
            assertEquals("active", image.status());
            try (InputStream bytes = glance.download(done.imageId())) {
                assertEquals(sha, TestImages.sha256(bytes), "the bytes came through TLS intact");
            }
            assertTrue(tls.connections() > 0, "the source was read through the TLS proxy");

            ImageEvent jdkOnly = importer.importImage(action("jdk-only", https, sha));
            assertRefused(jdkOnly, "is not trusted (the JDK's trust store)");
            ImageEvent otherCa = importer.importImage(action("other-ca", https, sha));
            assertRefused(otherCa, "is not trusted (the JDK's trust store and cacert " + other.caPem() + " of cloud 'other-ca')");

            // by a host name the certificate does not name: verify: false skips the name check too
            ImportCompleted unverified = assertInstanceOf(ImportCompleted.class,
                    importer.importImage(action("unverified", https.replace("127.0.0.1", "localhost"), sha)));
            assertEquals("active", glance.get(unverified.imageId()).orElseThrow().status());
        }
    }

    private void assertRefused(ImageEvent outcome, String why) {
        ImportFailed failed = assertInstanceOf(ImportFailed.class, outcome);
        assertEquals(FailureReason.SOURCE_UNREACHABLE, failed.reason(), failed.toString());
        assertTrue(failed.message().contains("the TLS certificate of 127.0.0.1:") && failed.message().contains(why), failed.message());
        assertEquals(List.of(), glance.listImages(tag).stream().filter(image -> image.name().endsWith(failed.cloud())).toList(),
                "nothing was left in Glance");
    }

    private static ImportSettings settings() {
        ImportSettings settings = new ImportSettings();
        settings.attempts = 1;
        settings.backoff = Duration.ofMillis(100);
        settings.pollInterval = Duration.ofMillis(200);
        return settings;
    }

    private ImportImage action(String cloud, String url, String sha) {
        String family = "Tls " + id;
        return new ImportImage("tls-" + id + "-" + cloud, cloud, family, "1", family + " " + cloud, url, null, "sha256:" + sha,
                null, null, "qcow2", 1, 64, Map.of(ImageProperties.FAMILY, family + " " + cloud, ImageProperties.INTERNAL_VERSION, "1"),
                List.of(tag), null);
    }
}

package org.imagemanager.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.imagemanager.definition.DefinitionError;
import org.imagemanager.event.DefinitionsPublished;
import org.imagemanager.event.DefinitionsRejected;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.FailureReason;
import org.imagemanager.event.ImageChanged;
import org.imagemanager.event.ImportCompleted;
import org.imagemanager.event.ImportFailed;
import org.imagemanager.event.ImportProgress;
import org.imagemanager.event.ImportStarted;
import org.imagemanager.event.PlanComputed;
import org.imagemanager.kafka.EventPublisher;
import org.imagemanager.kafka.EventRecords;
import org.imagemanager.kafka.TopicNames;
import org.imagemanager.kafka.TopicsInitializer;
import org.imagemanager.testsupport.SharedKafka;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code image-manager status} in-process against the shared broker: a fresh topic set holds what a pipeline of two
 * clouds would have written, with the publisher the services use; the output must name what an operator looks for.
 */
class StatusCommandIT {
    private static final String PREFIX = "status-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final long MIB = 1024 * 1024;

    @BeforeAll
    static void publishAPipelinesHistory() {
        TopicNames topics = ImageManager.Common.topics(PREFIX);
        TopicsInitializer.ensure(SharedKafka.bootstrapServers(), topics, 3, (short) 1);
        try (EventPublisher publisher = new EventPublisher(SharedKafka.bootstrapServers(), new EventRecords(topics, "launcher"))) {
            publisher.publish(new DefinitionsPublished(id(), at(-600), "team-a", "8f3c2a1d9e7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a",
                    List.of("Debian 12", "Ubuntu 24.04"), List.of("Debian 12", "Ubuntu 24.04"), List.of()));
            publisher.publish(new DefinitionsRejected(id(), at(-300), "team-b", "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b",
                    List.of(new DefinitionError("images/ubuntu.yml", 14, 18, "images[0].meta.hypervisor_type",
                            "expected one of [hyperv, ironic, lxc, qemu, uml, vmware, xen], found 'kvm'"))));
            // dev, Debian 12: a new version is being imported
            publisher.publish(new PlanComputed(id(), at(-590), "dev", "Debian 12", List.of("import-7c1f"),
                    List.of("import 'Debian 12 (20250110)' from http://mirror.local/debian-12-20250110.qcow2"), List.of(), 1));
            publisher.publish(new ImportStarted(id(), at(-589), "dev", "Debian 12", "import-7c1f", "20250110",
                    "Debian 12 (20250110)", "upload", "http://mirror.local/debian-12-20250110.qcow2", 1));
            publisher.publish(new ImportProgress(id(), at(-10), "dev", "Debian 12", "import-7c1f", "Debian 12 (20250110)",
                    210 * MIB, 420 * MIB, 360 * 1024, 597));
            // dev, Ubuntu 24.04: the import failed for good, then a plan that waits for a fix
            publisher.publish(new PlanComputed(id(), at(-580), "dev", "Ubuntu 24.04", List.of("import-e42b"),
                    List.of("import 'Ubuntu 24.04 (20250105)' from https://cloud-images.ubuntu.com/noble.img"), List.of(), 2));
            publisher.publish(new ImportStarted(id(), at(-579), "dev", "Ubuntu 24.04", "import-e42b", "20250105",
                    "Ubuntu 24.04 (20250105)", "upload", "https://cloud-images.ubuntu.com/noble.img", 3));
            publisher.publish(new ImportFailed(id(), at(-400), "dev", "Ubuntu 24.04", "import-e42b", "20250105",
                    "Ubuntu 24.04 (20250105)", FailureReason.CHECKSUM_MISMATCH, "sha256:9f86d081884c7d65",
                    "sha256:60303ae22b998861", "the source's sha256 differs from the definition's"));
            publisher.publish(new PlanComputed(id(), at(-399), "dev", "Ubuntu 24.04", List.of(), List.of(), List.of(), 2));
            // prod: everything done, an earlier failure mended by a completed import
            publisher.publish(new ImportFailed(id(), at(-900), "prod", "Debian 12", "import-0a9d", "20250110",
                    "Debian 12 (20250110)", FailureReason.SOURCE_UNREACHABLE, null, null, "connection refused"));
            publisher.publish(new ImportCompleted(id(), at(-500), "prod", "Debian 12", "import-0a9d", "20250110", "5b7e",
                    "Debian 12 (20250110)", "sha256:aa", 420 * MIB, false, "bb", "upload", "http://mirror.local/d.qcow2", 95_000));
            publisher.publish(new ImageChanged(id(), at(-499), "prod", "Debian 12", "rename-31f0", ImageChanged.Change.RENAMED,
                    "5b7e", "Debian 12", "Debian 12 (20250110)", "Debian 12"));
            publisher.publish(new PlanComputed(id(), at(-498), "prod", "Debian 12", List.of(), List.of(), List.of(), 2));
        }
    }

    @Test
    void namesTheRunningImportTheFailureWithItsReasonAndTheLastPlanOfEachFamily() {
        Run run = status("--cloud", "dev");
        System.out.print(run.out()); // the README shows this output

        assertEquals(0, run.exitCode(), run.err());
        String out = run.out();
        assertTrue(out.contains("team-a  " + at(-600) + "  8f3c2a1d9e7b  2       2        0"), out);
        assertTrue(out.contains("REJECTED team-b commit 1a2b3c4d5e6f"), out);
        assertTrue(out.contains("images/ubuntu.yml:14:18: images[0].meta.hypervisor_type: expected one of"), out);
        assertTrue(out.contains("cloud dev\n"), out);
        assertFalse(out.contains("cloud prod"), "--cloud dev: " + out);
        assertTrue(out.contains("Debian 12     " + at(-590) + "  1        0            1"), "last plan of Debian 12: " + out);
        assertTrue(out.contains("Ubuntu 24.04  " + at(-399) + "  0        0            2\n"),
                "the last plan of Ubuntu 24.04, not the one before its failure: " + out);
        assertTrue(out.contains("Debian 12 (20250110)  1        50% of 420.0 MiB  0.4 MiB/s  597 s  " + at(-10)), out);
        assertTrue(out.contains("Ubuntu 24.04 (20250105)  " + at(-400) + "  CHECKSUM_MISMATCH  the source's sha256 differs "
                + "from the definition's (expected sha256:9f86d081884c7d65, got sha256:60303ae22b998861)"), out);
    }

    @Test
    void showsEveryCloudAndAMendedFailureNoMore() {
        Run run = status();

        assertEquals(0, run.exitCode(), run.err());
        String prod = run.out().substring(run.out().indexOf("cloud prod"));
        assertTrue(prod.contains("no import running"), prod);
        assertTrue(prod.contains("no failure"), "an import of the family completed after it failed: " + prod);
    }

    @Test
    void printsJsonForPrograms() throws Exception {
        Run run = status("--json");

        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals(List.of("dev", "prod"), List.of(json.at("/clouds/0/cloud").asText(), json.at("/clouds/1/cloud").asText()));
        assertEquals("Debian 12 (20250110)", json.at("/clouds/0/running/0/imageName").asText());
        assertEquals(50, json.at("/clouds/0/running/0/percent").asInt());
        assertEquals("CHECKSUM_MISMATCH", json.at("/clouds/0/failures/0/reason").asText());
        assertEquals(13, json.at("/events").asInt());
    }

    @Test
    void sinceReadsOnlyTheRecentPartOfTheTopic() throws Exception {
        JsonNode recent = new ObjectMapper().readTree(status("--json", "--since", "PT1H").out());
        assertEquals(13, recent.at("/events").asInt(), "all were written in the last hour");
        JsonNode none = new ObjectMapper().readTree(status("--json", "--since", "PT0S").out());
        assertEquals(0, none.at("/events").asInt(), "none was written after now");
    }

    @Test
    void failsClearlyWithoutABroker() {
        assumeTrue(System.getenv("KAFKA_BOOTSTRAP_SERVERS") == null, "the environment names a broker");
        Run run = execute("status");

        assertEquals(ImageManager.EXIT_FAILED, run.exitCode());
        assertTrue(run.err().contains("--kafka HOST:PORT"), run.err());
        assertEquals("", run.out());
    }

    private Run status(String... options) {
        String[] args = new String[options.length + 5];
        System.arraycopy(new String[]{"status", "--kafka", SharedKafka.bootstrapServers(), "--topic-prefix", PREFIX}, 0, args, 0, 5);
        System.arraycopy(options, 0, args, 5, options.length);
        return execute(args);
    }

    private static Run execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = new CommandLine(new ImageManager()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Instant at(int seconds) {
        return NOW.plusSeconds(seconds);
    }

    private static String id() {
        return EventJson.newEventId();
    }
}

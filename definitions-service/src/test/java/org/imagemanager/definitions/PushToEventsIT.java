package org.imagemanager.definitions;

import io.micronaut.context.ApplicationContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.imagemanager.definition.DefinitionError;
import org.imagemanager.definitions.publish.SyncOutcome;
import org.imagemanager.event.DefinitionChanged;
import org.imagemanager.event.DefinitionEvent;
import org.imagemanager.event.DefinitionRemoved;
import org.imagemanager.event.DefinitionsPublished;
import org.imagemanager.event.DefinitionsRejected;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.imagemanager.definitions.DefinitionsServiceRun.file;
import static org.imagemanager.definitions.DefinitionsServiceRun.image;
import static org.imagemanager.definitions.DefinitionsServiceRun.sync;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pushes to a repository served over HTTP by {@code git http-backend}, and reads back exactly what the service
 * published (read_committed), after each push.
 */
class PushToEventsIT {
    private final DefinitionsServiceRun run = new DefinitionsServiceRun();

    @AfterEach
    void close() {
        run.close();
    }

    @Test
    void addChangeRemoveAndRenamePublishOnlyTheDifference() {
        ApplicationContext service = run.start();
        run.work.write("ubuntu.yml", file(image("Ubuntu 24.04", "20240501", 'a')))
                .write("debian.yml", file(image("Debian 12", "20240101", 'b'), image("Debian 11", "20230101", 'c')));
        String added = run.work.commit("three images");
        run.work.push();
        assertEquals(new SyncOutcome.Published(added, List.of("Debian 11", "Debian 12", "Ubuntu 24.04").stream().sorted().toList(), List.of()),
                sorted(sync(service)));
        List<ConsumerRecord<String, String>> records = run.definitions.next();
        assertEquals(Set.of("Ubuntu 24.04=DefinitionChanged.v1", "Debian 12=DefinitionChanged.v1", "Debian 11=DefinitionChanged.v1"),
                Set.copyOf(DefinitionsServiceRun.describe(records)));
        DefinitionChanged ubuntu = records.stream().filter(r -> r.key().equals("Ubuntu 24.04"))
                .map(r -> (DefinitionChanged) EventJson.decode(r.value(), DefinitionEvent.class)).findFirst().orElseThrow();
        assertEquals(added, ubuntu.source().commit());
        assertEquals("ubuntu.yml", ubuntu.source().file());
        assertEquals(3, ubuntu.source().line());
        assertEquals("ops", ubuntu.repository());

        // change one
        run.work.write("ubuntu.yml", file(image("Ubuntu 24.04", "20240601", 'd')));
        run.work.commit("new ubuntu build");
        run.work.push();
        sync(service);
        assertEquals(List.of("Ubuntu 24.04=DefinitionChanged.v1"), run.newDefinitionRecords());

        // remove one: its last definition, then a tombstone
        run.work.write("debian.yml", file(image("Debian 12", "20240101", 'b')));
        String removal = run.work.commit("Debian 11 is gone");
        run.work.push();
        sync(service);
        List<ConsumerRecord<String, String>> removed = run.definitions.next();
        assertEquals(List.of("Debian 11=DefinitionRemoved.v1", "Debian 11=tombstone"), DefinitionsServiceRun.describe(removed));
        DefinitionRemoved gone = (DefinitionRemoved) EventJson.decode(removed.getFirst().value(), DefinitionEvent.class);
        assertEquals("20230101", gone.lastDefinition().versions().getFirst().version());
        assertEquals(removal, gone.commit());

        // rename an image: a removal of the old name and the new one
        run.work.write("debian.yml", file(image("Debian Bookworm", "20240101", 'b')));
        run.work.commit("rename");
        run.work.push();
        sync(service);
        assertEquals(Set.of("Debian 12=DefinitionRemoved.v1", "Debian 12=tombstone", "Debian Bookworm=DefinitionChanged.v1"),
                Set.copyOf(run.newDefinitionRecords()));

        // move a file, and a commit that changes no definition: nothing but the file move
        run.work.move("ubuntu.yml", "linux/ubuntu.yml");
        run.work.commit("move");
        run.work.write("README.md", "# our images\n");
        String readme = run.work.commit("docs");
        run.work.push();
        sync(service);
        assertEquals(List.of("Ubuntu 24.04=DefinitionChanged.v1"), run.newDefinitionRecords());

        // the same head again (a redelivered webhook): nothing at all
        assertEquals(new SyncOutcome.UpToDate(readme), sync(service));
        assertEquals(List.of(), run.newDefinitionRecords());
        List<DefinitionsPublished> published = publishedEvents();
        assertEquals(5, published.size());
        assertEquals(readme, published.getLast().commit());
        assertEquals(List.of("Debian Bookworm", "Ubuntu 24.04"), published.getLast().images().stream().sorted().toList());
    }

    @Test
    void aForcePushThatRewritesHistoryIsDiffedAgainstWhatWasPublished() {
        ApplicationContext service = run.start();
        run.work.write("images.yml", file(image("Alpha", "1", 'a'), image("Beta", "1", 'b')));
        String first = run.work.commit("alpha and beta");
        run.work.push();
        sync(service);
        run.definitions.next();

        run.work.write("images.yml", file(image("Alpha", "2", 'c'), image("Beta", "1", 'b'), image("Gamma", "1", 'd')));
        run.work.commit("alpha 2 and gamma");
        run.work.push();
        sync(service);
        assertEquals(Set.of("Alpha=DefinitionChanged.v1", "Gamma=DefinitionChanged.v1"), Set.copyOf(run.newDefinitionRecords()));

        // rewrite: back to the first commit, then a different change; the parent of the new head is 'first'
        run.work.resetHard(first);
        run.work.write("images.yml", file(image("Alpha", "1", 'a'), image("Beta", "2", 'e')));
        run.work.commit("beta 2 instead");
        run.work.forcePush();
        sync(service);
        assertEquals(Set.of("Alpha=DefinitionChanged.v1", "Beta=DefinitionChanged.v1", "Gamma=DefinitionRemoved.v1", "Gamma=tombstone"),
                Set.copyOf(run.newDefinitionRecords()), "Alpha goes back to 1, Beta changes, Gamma is gone");
    }

    @Test
    void aMergeAndThreeCommitsInOnePushAreOneDiff() {
        ApplicationContext service = run.start();
        run.work.write("a.yml", file(image("Alpha", "1", 'a')));
        run.work.commit("alpha");
        run.work.push();
        sync(service);
        run.definitions.next();

        // three commits, one push: Beta added then removed again never shows; Alpha's last value does
        run.work.write("a.yml", file(image("Alpha", "2", 'b')));
        run.work.commit("alpha 2");
        run.work.write("b.yml", file(image("Beta", "1", 'c')));
        run.work.commit("beta");
        run.work.delete("b.yml");
        run.work.write("a.yml", file(image("Alpha", "3", 'd')));
        run.work.commit("no beta after all; alpha 3");
        run.work.push();
        sync(service);
        List<ConsumerRecord<String, String>> records = run.definitions.next();
        assertEquals(List.of("Alpha=DefinitionChanged.v1"), DefinitionsServiceRun.describe(records));
        assertEquals("3", ((DefinitionChanged) EventJson.decode(records.getFirst().value(), DefinitionEvent.class))
                .definition().versions().getFirst().version());

        // a merge: a feature branch adds Gamma while main changes Alpha
        run.work.checkout("feature", true);
        run.work.write("g.yml", file(image("Gamma", "1", 'e')));
        run.work.commit("gamma");
        run.work.checkout("main", false);
        run.work.write("a.yml", file(image("Alpha", "4", 'f')));
        run.work.commit("alpha 4");
        String merge = run.work.merge("feature", "merge feature");
        run.work.push();
        assertEquals(merge, ((SyncOutcome.Published) sync(service)).commit());
        assertEquals(Set.of("Alpha=DefinitionChanged.v1", "Gamma=DefinitionChanged.v1"), Set.copyOf(run.newDefinitionRecords()));
    }

    @Test
    void aBrokenCommitIsRejectedWithEveryErrorAndTheNextValidOneIsDiffedAgainstTheLastValidState() {
        ApplicationContext service = run.start();
        run.work.write("a.yml", file(image("Alpha", "1", 'a')))
                .write("b.yml", file(image("Beta", "1", 'b')));
        run.work.commit("valid");
        run.work.push();
        sync(service);
        run.definitions.next();
        run.events.next();

        // two files, several errors: a bad checksum, an unknown visibility, a missing url; and Alpha removed
        run.work.delete("a.yml");
        run.work.write("b.yml", file(image("Beta", "2", 'b').replace("checksum: sha256:", "checksum: sha256:zz")
                .replace("visibility: private", "visibility: everyone")));
        run.work.write("c.yml", file(image("Gamma", "1", 'c').replaceAll("(?m)^\\s+url: .*\\n", "")));
        String broken = run.work.commit("broken");
        run.work.push();
        SyncOutcome.Rejected rejected = assertInstanceOf(SyncOutcome.Rejected.class, sync(service));
        assertEquals(broken, rejected.commit());
        assertEquals(List.of(), run.newDefinitionRecords(), "an invalid commit publishes no definition event");
        List<ImageEvent> events = run.events.next().stream().map(r -> EventJson.decode(r.value(), ImageEvent.class)).toList();
        assertEquals(1, events.size(), events.toString());
        DefinitionsRejected rejection = assertInstanceOf(DefinitionsRejected.class, events.getFirst());
        assertEquals(broken, rejection.commit());
        Set<String> files = rejection.errors().stream().map(DefinitionError::file).collect(Collectors.toSet());
        assertEquals(Set.of("b.yml", "c.yml"), files, rejection.errors().toString());
        assertTrue(rejection.errors().size() >= 3, rejection.errors().toString());
        assertTrue(rejection.errors().stream().allMatch(e -> e.line() > 0 && e.field() != null && !e.field().isBlank()),
                rejection.errors().toString());
        // the same broken head again: not reported twice
        assertEquals(new SyncOutcome.UpToDate(broken), sync(service));
        assertEquals(List.of(), run.events.next());

        // fixed: the diff is against the last valid state (Alpha, Beta 1), not against the broken commit
        run.work.write("b.yml", file(image("Beta", "2", 'b')));
        run.work.delete("c.yml");
        run.work.commit("fixed");
        run.work.push();
        sync(service);
        assertEquals(Set.of("Alpha=DefinitionRemoved.v1", "Alpha=tombstone", "Beta=DefinitionChanged.v1"),
                Set.copyOf(run.newDefinitionRecords()));
    }

    @Test
    void aPushWithoutAWebhookIsCaughtByTheNextPoll() {
        run.start(Map.of("image-manager.definitions.poll-interval", "1s"));
        run.work.write("a.yml", file(image("Alpha", "1", 'a')));
        run.work.commit("alpha");
        run.work.push(); // no webhook: a missed delivery, or a server without webhooks
        assertEquals(List.of("Alpha=DefinitionChanged.v1"),
                DefinitionsServiceRun.describe(run.definitions.await(1, java.time.Duration.ofSeconds(30))));
    }

    @Test
    void anImageNameIsUniqueAcrossRepositories() {
        // a second repository on the same server, followed by the same service
        String second = DefinitionsServiceRun.server().createBareRepository("second-" + run.id);
        ApplicationContext service = run.start(Map.of(
                "image-manager.definitions.repositories.team-b.url", second,
                "image-manager.definitions.repositories.team-b.branch", "main"));
        run.work.write("a.yml", file(image("Alpha", "1", 'a')));
        run.work.commit("alpha in ops");
        run.work.push();
        sync(service);
        assertEquals(List.of("Alpha=DefinitionChanged.v1"), run.newDefinitionRecords());

        try (org.imagemanager.testsupport.GitWorkingCopy teamB = org.imagemanager.testsupport.GitWorkingCopy.cloneOf(
                second, run.dir.resolve("team-b"), null, null)) {
            teamB.write("mine.yml", file(image("Beta", "1", 'b'), image("Alpha", "9", 'c')));
            String clash = teamB.commit("Alpha again, and Beta");
            teamB.push();
            SyncOutcome.Rejected rejected = assertInstanceOf(SyncOutcome.Rejected.class,
                    wait(service.getBean(org.imagemanager.definitions.publish.DefinitionsSync.class).request("team-b")));
            assertEquals(clash, rejected.commit());
            assertEquals("mine.yml", rejected.errors().getFirst().file());
            assertTrue(rejected.errors().getFirst().message().contains("'ops'"), rejected.errors().toString());
            assertEquals(List.of(), run.newDefinitionRecords(), "nothing of team-b's commit, not even Beta");

            teamB.write("mine.yml", file(image("Beta", "1", 'b')));
            teamB.commit("only Beta");
            teamB.push();
            wait(service.getBean(org.imagemanager.definitions.publish.DefinitionsSync.class).request("team-b"));
            assertEquals(List.of("Beta=DefinitionChanged.v1"), run.newDefinitionRecords());
        }
    }

    private static SyncOutcome wait(java.util.concurrent.CompletableFuture<SyncOutcome> sync) {
        try {
            return sync.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aRestartedServiceRecoversItsStateFromKafkaAndCatchesUp() {
        ApplicationContext first = run.start();
        run.work.write("a.yml", file(image("Alpha", "1", 'a'), image("Beta", "1", 'b')));
        run.work.commit("alpha beta");
        run.work.push();
        sync(first);
        run.definitions.next();
        first.close();

        // while it is down: Beta changes, Alpha goes
        run.work.write("a.yml", file(image("Beta", "2", 'c')));
        run.work.commit("beta 2");
        run.work.push();

        ApplicationContext second = run.start(); // a fresh work folder: it knows nothing but the topics
        assertEquals(Set.of("Alpha=DefinitionRemoved.v1", "Alpha=tombstone", "Beta=DefinitionChanged.v1"),
                Set.copyOf(DefinitionsServiceRun.describe(run.definitions.await(3, java.time.Duration.ofSeconds(30)))),
                "the poll at start catches up");
        assertInstanceOf(SyncOutcome.UpToDate.class, sync(second));
        assertEquals(List.of(), run.newDefinitionRecords());
    }

    private List<DefinitionsPublished> publishedEvents() {
        return run.events.next().stream().map(r -> EventJson.decode(r.value(), ImageEvent.class))
                .filter(DefinitionsPublished.class::isInstance).map(DefinitionsPublished.class::cast).toList();
    }

    private static SyncOutcome sorted(SyncOutcome outcome) {
        if (outcome instanceof SyncOutcome.Published p) {
            return new SyncOutcome.Published(p.commit(), p.changed().stream().sorted().toList(), p.removed().stream().sorted().toList());
        }
        return outcome;
    }
}

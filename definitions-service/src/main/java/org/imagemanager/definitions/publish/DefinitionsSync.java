package org.imagemanager.definitions.publish;

import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.imagemanager.definition.DefinitionError;
import org.imagemanager.definition.DefinitionException;
import org.imagemanager.definition.LocatedDefinition;
import org.imagemanager.definitions.DefinitionSnapshot;
import org.imagemanager.definitions.repository.Repositories;
import org.imagemanager.definitions.repository.RepositoryMirror;
import org.imagemanager.definitions.repository.RepositorySettings;
import org.imagemanager.kafka.EventRecords;
import org.imagemanager.kafka.TopicNames;
import org.imagemanager.observability.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * Brings the topics in line with each repository's branch. Webhooks and the poller only <em>request</em> a sync:
 * requests are coalesced per repository and carried out one at a time on one thread, so a burst of pushes costs
 * one fetch and a commit is never decided twice concurrently in this process (other processes are kept apart by
 * the transactions of {@link DefinitionsLog}).
 */
@Singleton
public class DefinitionsSync implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DefinitionsSync.class);
    private static final int ATTEMPTS = 5;

    private final Repositories repositories;
    private final String bootstrapServers;
    private final TopicNames topics;
    private final String transactionalId;
    private final Duration pauseBeforeCommit;
    private final CommitRecords records;
    private final Metrics metrics;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, RepositoryMirror> mirrors = new LinkedHashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "definitions-sync");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, CompletableFuture<SyncOutcome>> queued = new ConcurrentHashMap<>();
    private final Map<String, String> lastErrors = new ConcurrentHashMap<>();
    private volatile PublishedView view = PublishedView.empty();
    private DefinitionsLog log;

    public DefinitionsSync(Repositories repositories, TopicNames topics, EventRecords events, Metrics metrics,
                           @Value("${kafka.bootstrap.servers}") String bootstrapServers,
                           @Value("${image-manager.definitions.work-dir:}") String workDir,
                           @Value("${image-manager.definitions.transactional-id:}") String transactionalId,
                           @Value("${image-manager.definitions.pause-before-commit:0s}") Duration pauseBeforeCommit) {
        this.repositories = repositories;
        this.bootstrapServers = bootstrapServers;
        this.topics = topics;
        // one id for every instance of one pipeline: that is what fences a stale or racing instance
        this.transactionalId = transactionalId.isBlank() ? "image-manager-definitions-" + topics.definitions() : transactionalId;
        this.pauseBeforeCommit = pauseBeforeCommit;
        this.records = new CommitRecords(events);
        this.metrics = metrics;
        Path work = workDir.isBlank() ? Path.of(System.getProperty("java.io.tmpdir"), "image-manager-definitions") : Path.of(workDir);
        for (RepositorySettings settings : repositories.all()) {
            mirrors.put(settings.name(), new RepositoryMirror(settings, work));
        }
    }

    public List<RepositorySettings> repositories() {
        return repositories.all();
    }

    /**
     * Asks for a sync of one repository. A request made while another is still queued joins it (that sync will
     * fetch this push too); the future completes when the sync that covers this request is done.
     */
    public CompletableFuture<SyncOutcome> request(String repository) {
        if (!mirrors.containsKey(repository)) {
            throw new IllegalArgumentException("no repository named " + repository);
        }
        return queued.computeIfAbsent(repository, name -> CompletableFuture.supplyAsync(() -> {
            queued.remove(name); // from here on, a new push needs a new sync
            return syncLogged(name);
        }, worker));
    }

    public void requestAll() {
        mirrors.keySet().forEach(this::request);
    }

    /** Writes every definition in force again (for a consumer that starts from scratch); returns how many. */
    public CompletableFuture<Integer> republishAll() {
        return CompletableFuture.supplyAsync(() -> {
            int count = decideAndCommit("republication", current -> new Decision<>(
                    records.republished(current, clock.instant()), current.definitions().size()));
            LOG.info("republished {} definitions", count);
            return count;
        }, worker);
    }

    /** The state as of the last sync (no Kafka call: for the state and health endpoints). */
    public PublishedView view() {
        return view;
    }

    /** The last failure to fetch or publish, per repository; cleared by the next success. */
    public Map<String, String> lastErrors() {
        return Map.copyOf(lastErrors);
    }

    private SyncOutcome syncLogged(String repository) {
        try {
            SyncOutcome outcome = sync(repository);
            lastErrors.remove(repository);
            switch (outcome) {
                case SyncOutcome.Published p -> {
                    metrics.definitionsPublished(repository);
                    LOG.info("repository={} commit={}: published {} changed, {} removed",
                            repository, p.commit(), p.changed().size(), p.removed().size());
                }
                case SyncOutcome.Rejected r -> {
                    metrics.definitionsRejected(repository);
                    LOG.error("repository={} commit={}: invalid definitions, nothing published:\n{}",
                            repository, r.commit(), String.join("\n", r.errors().stream().map(DefinitionError::toString).toList()));
                }
                case SyncOutcome.UpToDate u -> LOG.debug("repository={} commit={}: up to date", repository, u.commit());
                case SyncOutcome.NoBranch n -> LOG.warn("repository={}: branch {} does not exist", repository,
                        mirrors.get(repository).settings().branch());
            }
            return outcome;
        } catch (IOException | RuntimeException e) {
            // a remote or the broker away: the next poll or webhook tries again
            lastErrors.put(repository, e.getMessage() == null ? e.toString() : e.getMessage());
            LOG.warn("repository={}: not synced: {}", repository, e.getMessage());
            throw new java.util.concurrent.CompletionException(e);
        }
    }

    private SyncOutcome sync(String repository) throws IOException {
        RepositoryMirror mirror = mirrors.get(repository);
        var head = mirror.fetchHead();
        if (head.isEmpty()) {
            return new SyncOutcome.NoBranch();
        }
        String commit = head.get();
        CommitTree tree = new CommitTree(mirror, commit);
        try {
            return decideAndCommit("repository=" + repository + " commit=" + commit, current -> {
                RepositoryState state = current.repository(repository);
                if (state.handled(commit)) {
                    return new Decision<>(List.of(), new SyncOutcome.UpToDate(commit));
                }
                try {
                    List<LocatedDefinition> definitions = tree.definitions();
                    DefinitionChanges changes = DefinitionsDiff.between(repository, current, definitions);
                    if (!changes.conflicts().isEmpty()) {
                        return new Decision<>(records.rejected(repository, commit, changes.conflicts(), state, clock.instant()),
                                new SyncOutcome.Rejected(commit, changes.conflicts()));
                    }
                    return new Decision<>(records.published(repository, commit, definitions, changes, state, clock.instant()),
                            new SyncOutcome.Published(commit, changes.changedNames(), changes.removedNames()));
                } catch (DefinitionException e) {
                    return new Decision<>(records.rejected(repository, commit, e.errors(), state, clock.instant()),
                            new SyncOutcome.Rejected(commit, e.errors()));
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** The records a decision writes (none: nothing to write) and what it comes to. */
    private record Decision<T>(List<ProducerRecord<String, String>> records, T result) {
    }

    /**
     * Reads the topics, decides, and commits the decision's records as one transaction. When another instance wrote
     * meanwhile (fenced), it reads again and decides again: a decision is never committed on a stale view.
     */
    private <T> T decideAndCommit(String what, Function<PublishedView, Decision<T>> decide) {
        for (int attempt = 1; ; attempt++) {
            PublishedView current = log().catchUp();
            view = current;
            Decision<T> decision = decide.apply(current);
            if (decision.records().isEmpty()) {
                return decision.result();
            }
            try {
                log().commit(decision.records());
                view = log().catchUp();
                return decision.result();
            } catch (DefinitionsLog.Fenced e) {
                LOG.info("{}: {}; deciding again", what, e.getMessage());
                if (attempt == ATTEMPTS) {
                    throw new IllegalStateException(what + ": lost " + ATTEMPTS + " races in a row", e);
                }
            }
        }
    }

    /** The definitions of one commit, read and validated once however often the decision is taken again. */
    private static final class CommitTree {
        private final RepositoryMirror mirror;
        private final String commit;
        private DefinitionSnapshot snapshot;
        private DefinitionException invalid;

        CommitTree(RepositoryMirror mirror, String commit) {
            this.mirror = mirror;
            this.commit = commit;
        }

        List<LocatedDefinition> definitions() throws DefinitionException {
            if (snapshot == null && invalid == null) {
                try {
                    snapshot = mirror.read(commit);
                } catch (DefinitionException e) {
                    invalid = e;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            if (invalid != null) {
                throw invalid;
            }
            return snapshot.definitions();
        }
    }

    private synchronized DefinitionsLog log() {
        if (log == null) {
            log = new DefinitionsLog(bootstrapServers, topics, transactionalId, pauseBeforeCommit);
        }
        return log;
    }

    @PreDestroy
    @Override
    public void close() {
        worker.shutdownNow();
        synchronized (this) {
            if (log != null) {
                log.close();
            }
        }
        mirrors.values().forEach(RepositoryMirror::close);
    }
}

package org.imagemanager.definitions.publish;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.imagemanager.definition.DefinitionError;
import org.imagemanager.definition.LocatedDefinition;
import org.imagemanager.event.DefinitionChanged;
import org.imagemanager.event.DefinitionRemoved;
import org.imagemanager.event.DefinitionsPublished;
import org.imagemanager.event.DefinitionsRejected;
import org.imagemanager.event.EventJson;
import org.imagemanager.kafka.EventRecords;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The records of one transaction: what a commit (or a rejection, or a republication) writes, and where. */
public final class CommitRecords {
    private final EventRecords events;

    public CommitRecords(EventRecords events) {
        this.events = events;
    }

    /** A valid commit: its changes, a summary on the events topic, and the repository's new state. */
    public List<ProducerRecord<String, String>> published(String repository, String commit, List<LocatedDefinition> tree,
                                                          DefinitionChanges changes, RepositoryState before, Instant now) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (LocatedDefinition located : changes.changed()) {
            records.add(events.of(new DefinitionChanged(
                    EventJson.newEventId(), now, located.definition(), located.source(), repository)));
        }
        for (PublishedDefinition gone : changes.removed()) {
            // the removal first, then the tombstone: compaction keeps neither, consumers see both in order
            records.add(events.of(new DefinitionRemoved(EventJson.newEventId(), now,
                    gone.definition(), gone.source(), repository, commit)));
            records.add(new ProducerRecord<>(events.topics().definitions(), gone.name(), null));
        }
        List<String> images = tree.stream().map(d -> d.definition().name()).toList();
        records.add(events.of(new DefinitionsPublished(
                EventJson.newEventId(), now, repository, commit, images,
                changes.changedNames(), changes.removedNames())));
        records.add(state(before.published(commit, now, images.size())));
        return records;
    }

    /** An invalid commit: the errors on the events topic, and the rejection in the state. No definition record. */
    public List<ProducerRecord<String, String>> rejected(String repository, String commit, List<DefinitionError> errors,
                                                         RepositoryState before, Instant now) {
        return List.of(
                events.of(new DefinitionsRejected(EventJson.newEventId(), now, repository, commit, errors)),
                state(before.rejected(commit, now, errors)));
    }

    /** Every definition in force again, for consumers that start from scratch; the state stays as it is. */
    public List<ProducerRecord<String, String>> republished(PublishedView view, Instant now) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        List<String> names = view.definitions().keySet().stream().sorted().toList();
        for (String name : names) {
            PublishedDefinition d = view.definitions().get(name);
            records.add(events.of(new DefinitionChanged(EventJson.newEventId(), now,
                    d.definition(), d.source(), d.repository())));
        }
        records.add(events.of(new DefinitionsPublished(EventJson.newEventId(), now, "republish", null, names)));
        return records;
    }

    /** The service's own bookkeeping, read only by itself: plain JSON, not an event. */
    private ProducerRecord<String, String> state(RepositoryState state) {
        return new ProducerRecord<>(events.topics().definitionsState(), state.repository(), EventJson.encode(state));
    }
}

package org.imagemanager.definitions;

import jakarta.inject.Singleton;
import org.imagemanager.definition.LocatedDefinition;
import org.imagemanager.event.DefinitionChanged;
import org.imagemanager.event.DefinitionsPublished;
import org.imagemanager.event.EventJson;
import org.imagemanager.kafka.EventPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;

/** Turns a validated snapshot into one {@link DefinitionChanged} per image, then a {@link DefinitionsPublished}. */
@Singleton
public class DefinitionsPublication {
    private static final Logger LOG = LoggerFactory.getLogger(DefinitionsPublication.class);

    private final EventPublisher publisher;
    private final Clock clock;

    public DefinitionsPublication(EventPublisher publisher) {
        this(publisher, Clock.systemUTC());
    }

    DefinitionsPublication(EventPublisher publisher, Clock clock) {
        this.publisher = publisher;
        this.clock = clock;
    }

    public void publish(DefinitionSnapshot snapshot) {
        for (LocatedDefinition located : snapshot.definitions()) {
            publisher.publish(new DefinitionChanged(EventJson.newEventId(), clock.instant(), located.definition(), located.source()));
        }
        List<String> names = snapshot.definitions().stream().map(d -> d.definition().name()).toList();
        publisher.publish(new DefinitionsPublished(EventJson.newEventId(), clock.instant(), snapshot.source(),
                snapshot.revision(), names));
        LOG.info("published {} definitions of {} at {}", names.size(), snapshot.source(), snapshot.revision());
    }
}

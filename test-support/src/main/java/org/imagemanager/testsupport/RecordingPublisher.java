package org.imagemanager.testsupport;

import org.imagemanager.event.DefinitionEvent;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.kafka.EventPublisher;
import org.imagemanager.kafka.EventRecords;
import org.imagemanager.kafka.TopicNames;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A publisher for unit tests of the services: it keeps what they publish and sends nothing (no broker needed). */
public final class RecordingPublisher extends EventPublisher {
    private final List<Object> published = new CopyOnWriteArrayList<>();

    public RecordingPublisher() {
        // a producer that is never used: nothing is sent, so no broker is ever asked
        super("127.0.0.1:9", new EventRecords(new TopicNames("d", "a", "e"), "test"));
    }

    @Override
    public void publish(DefinitionEvent event) {
        published.add(event);
    }

    @Override
    public void publish(ImageAction action) {
        published.add(action);
    }

    @Override
    public void publish(ImageEvent event) {
        published.add(event);
    }

    @Override
    public void publishQuietly(ImageEvent event) {
        published.add(event);
    }

    /** Everything published of {@code type}, in order. */
    public <T> List<T> published(Class<T> type) {
        return published.stream().filter(type::isInstance).map(type::cast).toList();
    }
}

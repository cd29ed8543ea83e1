package org.imagemanager.app;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.imagemanager.definitions.DefinitionSnapshot;
import org.imagemanager.definitions.DefinitionsPublication;

/**
 * The definitions, planner, importer and rotator services in one Micronaut context: every bean of the four
 * modules, talking to each other only through the Kafka topics, exactly as when they run apart.
 */
public final class Pipeline implements AutoCloseable {
    private final ApplicationContext context;

    private Pipeline(ApplicationContext context) {
        this.context = context;
    }

    public static Pipeline start(PipelineSettings settings) {
        ApplicationContext context = ApplicationContext.builder()
                .deduceEnvironment(false)
                .properties(settings.properties())
                .start();
        if (context.containsProperty("micronaut.server.port")) {
            // one server for all four services: webhooks, state, metrics and health
            context.getBean(EmbeddedServer.class).start();
        }
        return new Pipeline(context);
    }

    /** Publishes definitions read elsewhere (the launcher's {@code --images PATH}) as the definitions service does. */
    public void publish(DefinitionSnapshot snapshot) {
        context.getBean(DefinitionsPublication.class).publish(snapshot);
    }

    /** The HTTP endpoints' base URL, when they were asked for ({@code micronaut.server.port}). */
    public java.util.Optional<java.net.URL> url() {
        return context.findBean(EmbeddedServer.class).filter(EmbeddedServer::isRunning).map(EmbeddedServer::getURL);
    }

    public ApplicationContext context() {
        return context;
    }

    @Override
    public void close() {
        context.close();
    }
}

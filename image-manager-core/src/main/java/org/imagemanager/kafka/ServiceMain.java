package org.imagemanager.kafka;

import io.micronaut.context.ApplicationContext;

import java.util.concurrent.CountDownLatch;

/**
 * Runs one service on its own (one container per service): starts a Micronaut context with the beans on the
 * classpath, configured from the environment (e.g. {@code KAFKA_BOOTSTRAP_SERVERS}, {@code IMAGE_MANAGER_CLOUDS}),
 * and keeps it until the process is told to stop.
 */
public final class ServiceMain {
    private ServiceMain() {
    }

    public static void run(String serviceName, String[] args) throws InterruptedException {
        // a service on its own logs like the launcher (WARN, ours at INFO), not logback's DEBUG default
        if (System.getProperty("logback.configurationFile") == null
                && ServiceMain.class.getResource("/logback.xml") == null) {
            System.setProperty("logback.configurationFile", "org/imagemanager/service-logback.xml");
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (ApplicationContext context = ApplicationContext.builder()
                .properties(java.util.Map.of("micronaut.application.name", serviceName,
                        "image-manager.events.source", serviceName,
                        // Kafka's own client meters clash in Prometheus (one name, different tag keys); ours suffice
                        "micronaut.metrics.binders.kafka.enabled", false))
                .args(args)
                .start()) {
            // services with HTTP endpoints (webhooks, health, state) have a server on their classpath
            context.findBean(io.micronaut.runtime.server.EmbeddedServer.class).ifPresent(server -> {
                server.start();
                org.slf4j.LoggerFactory.getLogger(ServiceMain.class).info("{} listening on {}", serviceName, server.getURL());
            });
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, serviceName + "-stop"));
            stop.await();
        }
    }
}

package org.imagemanager.observability;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Kafka is reachable: the cluster describes itself within {@code image-manager.health.kafka-timeout} (2 s). Every
 * service lives on its topics, so without Kafka it is DOWN. The answer is kept for
 * {@code image-manager.health.kafka-cache} (5 s), so frequent probes cost the broker one request at most that often.
 *
 * <p>Each check uses a client of its own, closed at once: a client kept open would retry an absent broker in the
 * background and log about it between probes.
 */
@Singleton
public class KafkaHealthCheck implements HealthCheck {
    private final String bootstrapServers;
    private final Duration timeout;
    private final Duration cacheFor;
    private final Clock clock = Clock.systemUTC();
    private Health last;
    private Instant checkedAt = Instant.MIN;

    public KafkaHealthCheck(@Value("${kafka.bootstrap.servers}") String bootstrapServers,
                            @Value("${image-manager.health.kafka-timeout:2s}") Duration timeout,
                            @Value("${image-manager.health.kafka-cache:5s}") Duration cacheFor) {
        this.bootstrapServers = bootstrapServers;
        this.timeout = timeout;
        this.cacheFor = cacheFor;
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public synchronized Health check() {
        Instant now = clock.instant();
        if (last == null || !now.isBefore(checkedAt.plus(cacheFor))) {
            last = describeCluster();
            checkedAt = now;
        }
        return last;
    }

    private Health describeCluster() {
        int millis = (int) timeout.toMillis();
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis));
        try {
            DescribeClusterResult cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(millis));
            String clusterId = cluster.clusterId().get(millis, TimeUnit.MILLISECONDS);
            int brokers = cluster.nodes().get(millis, TimeUnit.MILLISECONDS).size();
            return Health.up(Map.of("clusterId", clusterId, "brokers", brokers));
        } catch (TimeoutException e) {
            return Health.down(Map.of("error", "no answer within " + timeout.toMillis() + " ms"));
        } catch (ExecutionException e) {
            return Health.down(Map.of("error", String.valueOf(e.getCause().getMessage())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.down(Map.of("error", "interrupted"));
        } finally {
            admin.close(Duration.ZERO); // nothing of this check is worth waiting for
        }
    }
}

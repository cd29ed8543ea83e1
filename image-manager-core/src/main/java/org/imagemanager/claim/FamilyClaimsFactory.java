package org.imagemanager.claim;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.imagemanager.kafka.TopicNames;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The claims of this pipeline ({@code image-manager.claims.*}). A pipeline is one broker and one set of topics:
 * every importer and rotator process on it is the same holder (they already share its families through Kafka);
 * another broker, or other topics on the same broker, is another pipeline.
 */
@Factory
public class FamilyClaimsFactory {
    @Singleton
    @Bean(preDestroy = "close")
    FamilyClaims familyClaims(@Value("${kafka.bootstrap.servers}") String bootstrapServers, TopicNames topics,
                              @Value("${image-manager.claims.lease:2m}") Duration lease,
                              @Value("${image-manager.claims.holder:}") String configuredHolder) {
        return new FamilyClaims(() -> configuredHolder.isBlank()
                ? pipelineIdentity(bootstrapServers, topics) : configuredHolder, lease, Clock.systemUTC());
    }

    /** {@code <topic>@<cluster id> (<host> pid <pid>)}: the part before the parenthesis identifies, the rest informs. */
    static String pipelineIdentity(String bootstrapServers, TopicNames topics) {
        String clusterId;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            clusterId = admin.describeCluster().clusterId().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the Kafka cluster id (who holds claims): " + e.getMessage(), e);
        }
        return "pipeline " + topics.events() + "@" + clusterId + " (" + host() + " pid " + ProcessHandle.current().pid() + ")";
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }
}

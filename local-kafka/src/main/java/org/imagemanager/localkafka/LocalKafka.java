package org.imagemanager.localkafka;

import org.imagemanager.localprocess.ChildJvm;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A real Apache Kafka broker (KRaft, combined broker + controller, one node) on 127.0.0.1, run as a child JVM.
 *
 * <p>It runs in its own process because the broker's jars (Kafka 4.1) and the clients the services use
 * (kafka-clients 3.9, as micronaut-kafka 5.9 is built for) cannot share one classpath. The broker's classpath
 * was resolved by Maven when this module was built (see this module's pom).
 */
public final class LocalKafka implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final ChildJvm broker;
    private final int port;
    private final Path directory;

    private LocalKafka(ChildJvm broker, int port, Path directory) {
        this.broker = broker;
        this.port = port;
        this.directory = directory;
    }

    /** Formats fresh storage under {@code directory} and starts a broker on free ports; returns when it accepts clients. */
    public static LocalKafka start(Path directory) throws IOException {
        Files.createDirectories(directory);
        int port = ChildJvm.freePort();
        int controllerPort = ChildJvm.freePort();
        Path properties = directory.resolve("server.properties");
        Path log4j = directory.resolve("log4j2.properties");
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + directory.resolve("data").toAbsolutePath(),
                "num.partitions=1",
                // Topics are created deliberately (one of them compacted), never by accident.
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=6",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "log.cleaner.backoff.ms=1000",
                ""), StandardCharsets.UTF_8);
        Files.writeString(log4j, String.join("\n",
                "rootLogger.level=WARN",
                "rootLogger.appenderRef.file.ref=file",
                "appender.file.type=File",
                "appender.file.name=file",
                "appender.file.fileName=" + directory.resolve("broker.log").toAbsolutePath(),
                "appender.file.layout.type=PatternLayout",
                "appender.file.layout.pattern=%d %p %c{1} %m%n",
                "logger.kafka.name=kafka.server.KafkaRaftServer",
                "logger.kafka.level=INFO",
                ""), StandardCharsets.UTF_8);

        // this module's own classes join the broker's classpath: FormatThenServe formats and serves in one JVM
        String classpath = brokerClasspath() + java.io.File.pathSeparator + ownCode();
        Path output = directory.resolve("broker.out");
        ChildJvm broker = ChildJvm.start("Kafka broker", List.of("-Xms128m", "-Xmx512m", "-XX:+UseSerialGC",
                "-Dlog4j2.configurationFile=" + log4j.toAbsolutePath(), "-cp", classpath,
                FormatThenServe.class.getName(), clusterId(), properties.toAbsolutePath().toString()), directory, output, Map.of());
        broker.awaitReady(() -> accepts(port), "open port " + port, START_TIMEOUT, Duration.ofMillis(200));
        return new LocalKafka(broker, port, directory);
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Path directory() {
        return directory;
    }

    public boolean isAlive() {
        return broker.isAlive();
    }

    @Override
    public void close() {
        broker.close();
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    static String brokerClasspath() throws IOException {
        try (InputStream in = LocalKafka.class.getResourceAsStream("broker.classpath")) {
            if (in == null) {
                throw new IOException("broker.classpath resource missing: build the local-kafka module with Maven");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    /** Where this module's classes are (its jar, or target/classes in a build). */
    private static String ownCode() throws IOException {
        try {
            return Path.of(FormatThenServe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException | RuntimeException e) {
            throw new IOException("cannot locate the local-kafka classes: " + e, e);
        }
    }

    /** A Kafka cluster id: 16 random bytes, base64url without padding (what {@code StorageTool random-uuid} prints). */
    private static String clusterId() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        bytes[0] &= 0x7f;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}

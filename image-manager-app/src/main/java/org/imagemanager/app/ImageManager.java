package org.imagemanager.app;

import org.imagemanager.app.status.EventsTopic;
import org.imagemanager.app.status.StatusReport;
import org.imagemanager.app.status.StatusSummary;
import org.imagemanager.app.status.StatusText;
import org.imagemanager.cloud.CloudsYaml;
import org.imagemanager.definition.DefinitionException;
import org.imagemanager.definition.LocatedDefinition;
import org.imagemanager.definitions.DefinitionSnapshot;
import org.imagemanager.definitions.DefinitionsReader;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.ImageChanged;
import org.imagemanager.event.ImportCompleted;
import org.imagemanager.event.ActionFailed;
import org.imagemanager.event.ImportFailed;
import org.imagemanager.event.ImportProgress;
import org.imagemanager.event.LeftAlone;
import org.imagemanager.event.PlanComputed;
import org.imagemanager.definition.ValidationReport;
import org.imagemanager.glance.GlanceClient;
import org.imagemanager.kafka.TopicNames;
import org.imagemanager.kafka.TopicsInitializer;
import org.imagemanager.importer.mirror.S3MirrorConfig;
import org.imagemanager.localkafka.LocalKafka;
import org.imagemanager.locals3.LocalS3;
import org.imagemanager.plan.PlanReport;
import org.imagemanager.planner.CloudPlanning;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code ./image-manager}: the four services and (unless a broker is given) an embedded Kafka broker in one JVM. */
@Command(name = "image-manager", mixinStandardHelpOptions = true,
        description = "Keeps the images of OpenStack clouds in line with YAML image definitions.",
        subcommands = {ImageManager.Sync.class, ImageManager.Serve.class, ImageManager.PlanCommand.class,
                ImageManager.Validate.class, ImageManager.StatusCommand.class, ImageManager.Republish.class})
public final class ImageManager {
    static final int EXIT_FAILED = 1;
    static final int EXIT_INVALID = 2;

    public static void main(String[] args) {
        CommandLine subcommands = new CommandLine(new ImageManager());
        boolean reference = ReferenceCommandLine.isReferenceCall(args, subcommands.getSubcommands().keySet());
        if (reference && java.util.Arrays.asList(args).contains("--debug")) {
            // before the first logger: logback reads its level from here (see logback.xml)
            System.setProperty("IMAGE_MANAGER_LOG_LEVEL", "DEBUG");
        }
        // Without a subcommand, the reference tool's command line (a cron line that calls it works unchanged).
        CommandLine commandLine = reference ? new CommandLine(new ReferenceCommandLine()) : subcommands;
        // Operators get the message, not a stack trace (set IMAGE_MANAGER_LOG_LEVEL=DEBUG for the trace).
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + e.getMessage());
            if ("DEBUG".equalsIgnoreCase(System.getenv("IMAGE_MANAGER_LOG_LEVEL"))
                    || "DEBUG".equals(System.getProperty("IMAGE_MANAGER_LOG_LEVEL"))) {
                e.printStackTrace(cmd.getErr());
            }
            return EXIT_FAILED;
        });
        System.exit(commandLine.execute(args));
    }

    /** A duration as operators write it ({@code 90s}, {@code 2m}, {@code 1h}, {@code 1d}) or in ISO-8601 ({@code PT2M}). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return org.imagemanager.config.Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** The targets to act on: each named cloud, or one per region of an entry with {@code regions: [..]}. */
    static List<String> requireClouds(List<String> clouds) {
        List<String> named = clouds == null ? List.of() : clouds.stream().map(String::strip).filter(c -> !c.isEmpty()).toList();
        if (named.isEmpty()) {
            throw new CommandLine.ParameterException(new CommandLine(new ImageManager()),
                    "no cloud given: --cloud NAME (or set OS_CLOUD; --cloud envvars takes the OS_* variables)");
        }
        List<String> targets = new ArrayList<>();
        for (String cloud : named) {
            try {
                CloudsYaml.targets(cloud, System.getenv()).stream().filter(t -> !targets.contains(t)).forEach(targets::add);
            } catch (IllegalArgumentException unreadable) {
                targets.add(cloud); // said by the check of every cloud, with the rest of its kind
            }
        }
        return List.copyOf(targets);
    }

    /** Options shared by the subcommands; names follow the reference tool where it has one. */
    static class Common {
        @Option(names = "--cloud", split = ",", defaultValue = "${env:OS_CLOUD}",
                description = "cloud name(s) from clouds.yaml (OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack, "
                        + "/etc/openstack; secrets may be in secure.yaml), or envvars for the OS_* variables; default: OS_CLOUD")
        List<String> clouds;

        /** The clouds to act on: --cloud, else OS_CLOUD (as the openstack CLI takes it). */
        void requireClouds() {
            clouds = ImageManager.requireClouds(clouds);
        }

        @Option(names = "--kafka", defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS}",
                description = "Kafka bootstrap servers; without it an embedded broker is started")
        String kafka;

        @Option(names = "--group-prefix", defaultValue = "image-manager", description = "prefix of consumer group ids")
        String groupPrefix;

        @Option(names = "--topic-prefix", defaultValue = "",
                description = "prefix of the topic names, to run several independent pipelines on one broker")
        String topicPrefix;

        TopicNames topics() {
            return topics(topicPrefix);
        }

        static TopicNames topics(String prefix) {
            return new TopicNames(prefix + "image-definitions", prefix + "image-actions", prefix + "image-events");
        }

        @Option(names = "--mirror-dir", description = "folder of the embedded S3 mirror (default: ~/.cache/image-manager/s3); "
                + "one upstream download feeds every cloud, and later runs read verified copies")
        Path mirrorDir;

        @Option(names = "--no-mirror", description = "no S3 mirror (unless image-manager.mirror.* is configured)")
        boolean noMirror;

        @Option(names = "--claim-lease", defaultValue = "PT2M", converter = DurationConverter.class,
                description = "how long a family's claim holds without renewal: a run that dies holding one keeps other "
                        + "runs off that family this long (e.g. 2m, 90s; default ${DEFAULT-VALUE})")
        Duration claimLease;

        LocalKafka embedded;
        LocalS3 embeddedS3;

        /** The mirror settings: an external one from the environment, else an embedded S3 server (S3Proxy). */
        Map<String, Object> mirrorProperties(PrintStream out) throws IOException {
            if (noMirror || System.getenv("IMAGE_MANAGER_MIRROR_BUCKET") != null) {
                return Map.of();
            }
            Path dir = mirrorDir != null ? mirrorDir
                    : Path.of(System.getProperty("user.home"), ".cache", "image-manager", "s3");
            Files.createDirectories(dir);
            out.println("starting embedded S3 mirror in " + dir + " …");
            embeddedS3 = LocalS3.start(dir);
            S3MirrorConfig config = new S3MirrorConfig(embeddedS3.endpoint(), "us-east-1", "images",
                    embeddedS3.accessKey(), embeddedS3.secretKey(), "images");
            return Map.of("image-manager.mirror.endpoint", config.endpoint(),
                    "image-manager.mirror.bucket", config.bucket(),
                    "image-manager.mirror.access-key", config.accessKey(),
                    "image-manager.mirror.secret-key", config.secretKey());
        }

        String bootstrapServers(PrintStream out) throws IOException {
            if (kafka != null && !kafka.isBlank()) {
                return kafka;
            }
            Path dir = Files.createTempDirectory("image-manager-kafka");
            out.println("starting embedded Kafka broker in " + dir + " …");
            embedded = LocalKafka.start(dir);
            return embedded.bootstrapServers();
        }

        void stopEmbedded() throws IOException {
            if (embeddedS3 != null) {
                embeddedS3.close(); // its folder stays: the mirror serves the next run
            }
            if (embedded != null) {
                embedded.close();
                // The embedded broker lives for one run only; its data would just pile up in /tmp.
                try (var files = Files.walk(embedded.directory())) {
                    for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(file);
                    }
                }
            }
        }
    }

    @Command(name = "sync", description = "Converge the cloud(s) with the definitions once, then exit (0: all in line; 1: failures; 2: invalid definitions).")
    static final class Sync implements Callable<Integer> {
        @CommandLine.Mixin
        Common common = new Common();

        @CommandLine.Mixin
        PlanFlags flags = new PlanFlags();

        @Option(names = "--images", required = true, description = "folder (or file) of image definitions")
        Path images;

        @Option(names = "--dry-run", description = "print the plan; change nothing")
        boolean dryRun;

        @Option(names = "--timeout", defaultValue = "PT30M", description = "give up after this long (ISO-8601, default ${DEFAULT-VALUE})")
        Duration timeout;

        @Override
        public Integer call() throws Exception {
            common.requireClouds();
            PrintStream out = System.out;
            TopicNames topics = common.topics();
            Map<String, Object> properties = new java.util.HashMap<>(flags.properties());
            properties.put("image-manager.claims.lease", common.claimLease.toString());
            boolean broker = common.kafka != null && !common.kafka.isBlank();
            // First a look in-process, with the planner's own inputs: a cloud that cannot be planned ends the run now
            // (nothing heals by waiting), and when every cloud is in line nothing at all is started.
            try (LocalPlanning local = LocalPlanning.of(new PipelineSettings("", common.clouds, flags.tag, null, topics,
                    common.groupPrefix, null, null, null, properties).properties(),
                    broker ? new LocalPlanning.EventsSource(common.kafka, topics.events()) : null)) {
                local.connectAhead(common.clouds);
                DefinitionSnapshot snapshot = readOrReport(images);
                if (snapshot == null) {
                    return EXIT_INVALID;
                }
                List<LocatedDefinition> selected = snapshot.definitions().stream()
                        .filter(d -> flags.filter == null || flags.filter.matcher(d.definition().name()).lookingAt())
                        .toList();
                snapshot = new DefinitionSnapshot(snapshot.source(), snapshot.revision(), selected);
                List<String> families = selected.stream().map(d -> d.definition().name()).toList();
                out.printf("%d image definition(s) from %s%n", families.size(), images);
                Map<String, CloudPlanning.Planned> planned = planEveryCloud(local, common.clouds, snapshot);
                if (planned == null) {
                    return EXIT_FAILED;
                }
                if (dryRun) {
                    planned.values().forEach(p -> out.print(PlanReport.table(p.effective())));
                    return 0;
                }
                boolean imports = planned.values().stream().anyMatch(CloudPlanning.Planned::importsPlanned);
                try {
                    return broker ? throughThePipeline(out, topics, properties, snapshot, families, imports)
                            : here(out, local, snapshot, planned, imports);
                } finally {
                    common.stopEmbedded();
                }
            }
        }

        /**
         * Without a broker given: the plans carried out in this process (no broker, no services; the mirror only when
         * an import is planned). A cloud in line costs nothing beyond its look.
         */
        private int here(PrintStream out, LocalPlanning local, DefinitionSnapshot snapshot,
                         Map<String, CloudPlanning.Planned> planned, boolean imports) throws Exception {
            Map<String, Object> mirrorProperties = imports ? common.mirrorProperties(out) : Map.of();
            try (org.imagemanager.importer.mirror.S3Mirror mirror = mirror(mirrorProperties);
                 LocalRun run = new LocalRun(local, mirror, CONCURRENCY, event -> progress(out, event))) {
                boolean settled = run.run(snapshot, planned, timeout);
                return ended(out, settled, run.summary());
            }
        }

        /** The summary, and the exit code: 0 all in line, 1 a failure or the timeout. */
        private int ended(PrintStream out, boolean settled, SyncTracker.Summary summary) {
            out.print(summary.format());
            if (!settled) {
                System.err.println("not in line after " + timeout + "; see the events above");
                return EXIT_FAILED;
            }
            return summary.failed().isEmpty() ? 0 : EXIT_FAILED;
        }

        /** Families carried out side by side in one run (imports stream; two cores keep four busy). */
        private static final int CONCURRENCY = 4;

        /** The mirror of {@code image-manager.mirror.*} (the embedded one, or one configured in the environment). */
        private static org.imagemanager.importer.mirror.S3Mirror mirror(Map<String, Object> given) {
            java.util.function.Function<String, java.util.Optional<String>> property = LocalPlanning.pipelineProperties(given);
            java.util.Optional<String> bucket = property.apply("image-manager.mirror.bucket");
            if (bucket.isEmpty()) {
                return null;
            }
            org.imagemanager.importer.mirror.S3Mirror mirror = new org.imagemanager.importer.mirror.S3Mirror(
                    new org.imagemanager.importer.mirror.S3MirrorConfig(property.apply("image-manager.mirror.endpoint").orElse(null),
                            property.apply("image-manager.mirror.region").orElse("us-east-1"), bucket.get(),
                            property.apply("image-manager.mirror.access-key").orElse(null),
                            property.apply("image-manager.mirror.secret-key").orElse(null),
                            property.apply("image-manager.mirror.prefix").orElse("images")));
            mirror.ensureBucket();
            return mirror;
        }

        /** With a broker given (--kafka): the four services, their plans and outcomes on its topics, as serve runs them. */
        private int throughThePipeline(PrintStream out, TopicNames topics, Map<String, Object> properties,
                                       DefinitionSnapshot snapshot, List<String> families, boolean imports) throws Exception {
            String bootstrap = common.bootstrapServers(out);
            if (imports) {
                properties.putAll(common.mirrorProperties(out));
            }
            TopicsInitializer.ensure(bootstrap, topics, 6, (short) 1);
            PipelineSettings settings = new PipelineSettings(bootstrap, common.clouds, flags.tag, null, topics,
                    common.groupPrefix, null, null, null, properties);
            try (SyncTracker tracker = new SyncTracker(bootstrap, topics.events(), event -> progress(out, event));
                 Pipeline pipeline = Pipeline.start(settings)) {
                pipeline.publish(snapshot);
                boolean settled = tracker.awaitSettled(common.clouds, families, timeout);
                return ended(out, settled, tracker.summary());
            }
        }

        /** The running imports' progress bars (terminal only), by action id. */
        private static final Map<String, String> RUNNING = new java.util.concurrent.ConcurrentSkipListMap<>();

        private static String bar(ImportProgress p) {
            int width = 20;
            int filled = p.totalBytes() > 0 ? (int) (width * p.bytes() / p.totalBytes()) : 0;
            String bar = p.totalBytes() > 0 ? "[" + "#".repeat(filled) + "-".repeat(width - filled) + "] "
                    + (100 * p.bytes() / p.totalBytes()) + "%" : mib(p.bytes());
            return p.imageName() + " " + bar + " " + mib(p.bytesPerSecond()) + "/s";
        }

        private static void progress(PrintStream out, ImageEvent event) {
            if (event instanceof ImportCompleted || event instanceof ImportFailed) {
                String id = event instanceof ImportCompleted c ? c.actionId() : ((ImportFailed) event).actionId();
                if (RUNNING.remove(id) != null && System.console() != null) {
                    out.print("\r\u001b[K"); // the status line gives way to the outcome
                }
            }
            switch (event) {
                case ImportCompleted done when !done.alreadyPresent() ->
                        out.printf("  imported   %s: %s (%s)%n", done.cloud(), done.imageName(), done.imageId());
                case ImportProgress p -> {
                    if (System.console() == null) {
                        // in logs: one plain line per report
                        out.printf("  importing  %s: %s %s%s, %s/s%s%n", p.cloud(), p.imageName(), mib(p.bytes()),
                                p.totalBytes() > 0 ? " of " + mib(p.totalBytes()) + " (" + (100 * p.bytes() / p.totalBytes()) + "%)" : "",
                                mib(p.bytesPerSecond()), p.etaSeconds() >= 0 ? ", " + p.etaSeconds() + " s left" : "");
                    } else {
                        // on a terminal: one status line, redrawn in place, with a bar per running import
                        RUNNING.put(p.actionId(), bar(p));
                        out.print("\r" + String.join("  ", RUNNING.values()) + "\u001b[K");
                    }
                }
                case LeftAlone left ->
                        out.printf("  left alone %s: %s, %s%n", left.cloud(), left.family(), left.describe());
                case PlanComputed plan when plan.leftAlone() != null ->
                        out.printf("  left alone %s: %s, %s%n", plan.cloud(), plan.family(), plan.leftAlone());
                case ActionFailed refused ->
                        out.printf("  REFUSED    %s: %s (%d): %s%n", refused.cloud(), refused.action(), refused.status(),
                                refused.reason());
                case ImportFailed failed ->
                        out.printf("  FAILED     %s: %s@%s %s: %s%n", failed.cloud(), failed.family(), failed.version(),
                                failed.reason(), failed.message());
                case ImageChanged changed when changed.change() == ImageChanged.Change.RENAMED ->
                        out.printf("  renamed    %s: '%s' -> '%s'%n", changed.cloud(), changed.before(), changed.after());
                case ImageChanged changed ->
                        out.printf("  %-10s %s: '%s' %s%n", changed.change().name().toLowerCase(java.util.Locale.ROOT),
                                changed.cloud(), changed.imageName(), changed.after() == null ? "" : "-> " + changed.after());
                default -> {
                }
            }
        }
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    @Command(name = "serve", description = "Run the pipeline until stopped, watching a git repository of definitions.")
    static final class Serve implements Callable<Integer> {
        @CommandLine.Mixin
        Common common = new Common();

        @CommandLine.Mixin
        PlanFlags flags = new PlanFlags();

        @Option(names = "--repository", required = true, description = "git repository holding the definitions: a local path, or an https:// or ssh:// URL")
        String repository;

        @Option(names = "--branch", defaultValue = "main", description = "branch to follow (default: ${DEFAULT-VALUE})")
        String branch;

        @Option(names = "--poll-interval", defaultValue = "30s", description = "how often to look for new commits (webhooks need no wait)")
        String pollInterval;

        @Option(names = "--http-port", defaultValue = "8080", description = "port of the webhook, state, metrics and health endpoints (default: ${DEFAULT-VALUE})")
        int httpPort;

        @Option(names = "--webhook-secret-file", description = "file holding the push webhooks' shared secret; enables POST /webhooks/default")
        Path webhookSecretFile;

        @Option(names = "--password-file", description = "file holding the token (or password) for an https:// repository")
        Path passwordFile;

        @Override
        public Integer call() throws Exception {
            common.requireClouds();
            String bootstrap = common.bootstrapServers(System.out);
            TopicNames topics = common.topics();
            Map<String, Object> properties = new java.util.HashMap<>(flags.properties());
            properties.putAll(common.mirrorProperties(System.out));
            properties.put("image-manager.claims.lease", common.claimLease.toString());
            properties.put("micronaut.server.port", httpPort);
            if (webhookSecretFile != null) {
                properties.put("image-manager.definitions.webhook-secret-file", webhookSecretFile.toAbsolutePath().toString());
            }
            if (passwordFile != null) {
                properties.put("image-manager.definitions.password-file", passwordFile.toAbsolutePath().toString());
            }
            String location = repository.matches("^[a-z]+://.*") ? repository : Path.of(repository).toAbsolutePath().toString();
            PipelineSettings settings = new PipelineSettings(bootstrap, common.clouds, flags.tag, null, topics,
                    common.groupPrefix, location, branch, pollInterval, properties);
            CountDownLatch stopped = new CountDownLatch(1);
            CountDownLatch closed = new CountDownLatch(1);
            try (Pipeline pipeline = Pipeline.start(settings)) {
                // SIGTERM: the JVM ends when its shutdown hooks have run, so the hook waits for the pipeline to close
                // (its claims released, its consumers out of their groups)
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    stopped.countDown();
                    try {
                        closed.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
                System.out.println("serving on " + pipeline.url().map(Object::toString).orElse("(no HTTP)")
                        + " (GET /state, GET /metrics, GET /health" + (webhookSecretFile != null ? ", POST /webhooks/default" : "")
                        + "); Ctrl-C stops");
                stopped.await();
            } finally {
                try {
                    common.stopEmbedded();
                } finally {
                    closed.countDown();
                }
            }
            return 0;
        }
    }


    @Command(name = "plan", description = "Show what a sync would do, as a table (or JSON); changes nothing.")
    static final class PlanCommand implements Callable<Integer> {
        @Option(names = "--cloud", split = ",", defaultValue = "${env:OS_CLOUD}",
                description = "cloud name(s) from clouds.yaml, or envvars for the OS_* variables; default: OS_CLOUD")
        List<String> clouds;

        @CommandLine.Mixin
        PlanFlags flags = new PlanFlags();

        @Option(names = "--images", required = true, description = "folder (or file) of image definitions")
        Path images;

        @Option(names = "--json", description = "print the plan as JSON")
        boolean json;

        @Option(names = "--kafka", defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS}",
                description = "Kafka bootstrap servers of a pipeline: its failed imports count as its planner counts them")
        String kafka;

        @Option(names = "--topic-prefix", defaultValue = "", description = "prefix of the pipeline's topic names")
        String topicPrefix;

        @Override
        public Integer call() throws IOException {
            clouds = requireClouds(clouds);
            Map<String, Object> properties = new java.util.HashMap<>(flags.properties());
            properties.put("image-manager.clouds", String.join(",", clouds));
            properties.put("image-manager.management-tag", flags.tag);
            Map<String, CloudPlanning.Planned> planned;
            try (LocalPlanning local = LocalPlanning.of(properties, kafka == null || kafka.isBlank() ? null
                    : new LocalPlanning.EventsSource(kafka, Common.topics(topicPrefix).events()))) {
                local.connectAhead(clouds);
                DefinitionSnapshot snapshot = readOrReport(images);
                if (snapshot == null) {
                    return EXIT_INVALID;
                }
                planned = planEveryCloud(local, clouds, snapshot);
            }
            if (planned == null) {
                return EXIT_FAILED;
            }
            for (CloudPlanning.Planned plan : planned.values()) {
                System.out.print(json ? PlanReport.json(plan.effective()) + "\n" : PlanReport.table(plan.effective()));
            }
            return 0;
        }
    }

    @Command(name = "validate", description = "Check definition files (e.g. as a pre-commit hook or CI step): 0 valid, 2 invalid.")
    static final class Validate implements Callable<Integer> {
        @CommandLine.Parameters(paramLabel = "PATH", description = "folder (or file) of image definitions")
        Path images;

        @Override
        public Integer call() throws IOException {
            ValidationReport report = new DefinitionsReader().validateFolder(images);
            report.warnings().forEach(w -> System.out.println("warning: " + w));
            if (!report.valid()) {
                report.errors().forEach(e -> System.out.println("error: " + e));
                System.out.printf("%d error(s), %d warning(s) in %s%n", report.errors().size(), report.warnings().size(), images);
                return EXIT_INVALID;
            }
            System.out.printf("%d image definition(s) valid, %d warning(s)%n", report.definitions().size(), report.warnings().size());
            return 0;
        }
    }

    @Command(name = "status", description = "Summarise the image-events topic of a running pipeline: the last plan per family, "
            + "imports running, failures, the last definitions publication. Reads only.")
    static final class StatusCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--cloud", description = "only this cloud (the definitions are shown anyway: they concern every cloud)")
        String cloud;

        @Option(names = "--kafka", defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS}", description = "Kafka bootstrap servers of the pipeline")
        String kafka;

        @Option(names = "--topic-prefix", defaultValue = "", description = "prefix of the topic names, as the pipeline was given")
        String topicPrefix;

        @Option(names = "--json", description = "print the status as JSON")
        boolean json;

        @Option(names = "--since", description = "only events of this last while (ISO-8601, e.g. PT24H); default: the whole topic")
        Duration since;

        @Override
        public Integer call() {
            if (kafka == null || kafka.isBlank()) {
                // unlike sync, an embedded broker would not help: it starts empty, so there is nothing to summarise
                spec.commandLine().getErr().println("status reads the events of a running pipeline: give its broker with "
                        + "--kafka HOST:PORT (or KAFKA_BOOTSTRAP_SERVERS)");
                return EXIT_FAILED;
            }
            EventsTopic topic = EventsTopic.read(kafka, Common.topics(topicPrefix).events(),
                    since == null ? null : Instant.now().minus(since));
            if (topic.unreadable() > 0) {
                spec.commandLine().getErr().printf("warning: %d record(s) are no events of this version and were skipped%n",
                        topic.unreadable());
            }
            StatusReport report = StatusSummary.of(topic.events());
            if (cloud != null) {
                report = report.only(cloud);
            }
            spec.commandLine().getOut().print(json ? StatusText.json(report) + "\n" : StatusText.table(report));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "republish", description = "Have a running definitions service write every definition in force "
            + "again, for a consumer that starts from scratch (POST /republish with the admin token).")
    static final class Republish implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--service", required = true, description = "base URL of the definitions service, e.g. http://definitions:8080")
        URI service;

        @Option(names = "--admin-token-file", required = true, description = "file holding the service's admin token")
        Path adminTokenFile;

        @Override
        public Integer call() throws IOException, InterruptedException {
            String token = Files.readString(adminTokenFile).strip();
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(service.resolve("/republish"))
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                spec.commandLine().getErr().println("the service answered " + answer.statusCode() + ": " + answer.body());
                return EXIT_FAILED;
            }
            int count = new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer.body()).path("republished").asInt();
            spec.commandLine().getOut().println("republished " + count + " definition(s)");
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    /**
     * Plans every cloud in-process. A cloud missing from clouds.yaml, refusing our credentials or whose Glance does not
     * answer gets one line naming the cause, and the run ends now (null): waiting would not heal any of these, so a
     * sync must not wait out its timeout for them.
     */
    static Map<String, CloudPlanning.Planned> planEveryCloud(LocalPlanning local, List<String> clouds, DefinitionSnapshot snapshot) {
        Map<String, CloudPlanning.Planned> planned = new java.util.LinkedHashMap<>();
        boolean all = true;
        for (String cloud : clouds) {
            try {
                planned.put(cloud, local.plan(cloud, snapshot));
            } catch (RuntimeException e) {
                String cause = String.valueOf(e.getMessage());
                System.err.println("error: " + (cause.contains("cloud '" + cloud + "'") ? "" : "cloud '" + cloud + "': ")
                        + cause + "; nothing changed");
                all = false;
            }
        }
        return all ? planned : null;
    }

    /** Reads and validates definitions; prints every error and returns null when they are invalid. */
    static DefinitionSnapshot readOrReport(Path images) throws IOException {
        try {
            return new DefinitionsReader().readFolder(images);
        } catch (DefinitionException e) {
            System.err.println("invalid definitions, nothing changed:");
            e.errors().forEach(error -> System.err.println("  " + error));
            return null;
        }
    }

}

package org.imagemanager.bench;

import org.imagemanager.cloud.Clouds;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.ImportCompleted;
import org.imagemanager.event.ImportImage;
import org.imagemanager.importer.ImportService;
import org.imagemanager.importer.ImportSettings;
import org.imagemanager.kafka.EventPublisher;
import org.imagemanager.kafka.EventRecords;
import org.imagemanager.kafka.TopicNames;
import org.imagemanager.plan.ImageProperties;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One import through the real importer (streamed source → digest → Glance), timed, with the process's peak RSS.
 * Arguments: url sha256 cloud [clouds.yaml]. Prints {@code importer_seconds=… bytes=… rss_mb=…}; the image is
 * deleted afterwards. Events go nowhere: the benchmark measures the data path, not Kafka.
 */
public final class ImportBenchmark {
    public static void main(String[] args) throws Exception {
        String url = args[0];
        String sha256 = args[1];
        String cloud = args[2];
        Clouds clouds = new Clouds(args.length > 3 ? args[3] : "");
        if (args.length > 5) {
            concurrent(url, sha256, cloud, clouds, Integer.parseInt(args[4]), Integer.parseInt(args[5]));
            return;
        }
        String id = UUID.randomUUID().toString().substring(0, 8);
        ImportImage action = new ImportImage("bench-" + id, cloud, "Bench " + id, "1", "Bench " + id, url, null,
                "sha256:" + sha256, null, null, "raw", 0, 0,
                Map.of(ImageProperties.FAMILY, "Bench " + id, ImageProperties.INTERNAL_VERSION, "1"), List.of("im-bench"), null);
        ImportService importer = new ImportService(clouds, new Silent(), new ImportSettings());
        long start = System.nanoTime();
        ImageEvent outcome = importer.importImage(action);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!(outcome instanceof ImportCompleted done)) {
            System.err.println("import failed: " + outcome);
            System.exit(1);
            return;
        }
        clouds.glance(cloud).delete(done.imageId());
        System.out.printf("importer_seconds=%.2f bytes=%d rss_mb=%d%n", seconds, done.bytes(), peakRssMb());
        System.exit(0);
    }

    /** {@code count} imports of the same source, {@code concurrency} at a time (as importer threads would run them). */
    static void concurrent(String url, String sha256, String cloud, Clouds clouds, int count, int concurrency) throws Exception {
        ImportService importer = new ImportService(clouds, new Silent(), new ImportSettings());
        var pool = java.util.concurrent.Executors.newFixedThreadPool(concurrency);
        List<java.util.concurrent.Future<ImageEvent>> results = new java.util.ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            String id = UUID.randomUUID().toString().substring(0, 8);
            ImportImage action = new ImportImage("bench-" + id, cloud, "Bench " + id, "1", "Bench " + id, url, null,
                    "sha256:" + sha256, null, null, "raw", 0, 0,
                    Map.of(ImageProperties.FAMILY, "Bench " + id, ImageProperties.INTERNAL_VERSION, "1"), List.of("im-bench"), null);
            results.add(pool.submit(() -> importer.importImage(action)));
        }
        for (var result : results) {
            if (result.get() instanceof ImportCompleted done) {
                clouds.glance(cloud).delete(done.imageId());
            } else {
                System.err.println("import failed: " + result.get());
                System.exit(1);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        System.out.printf("images=%d concurrency=%d seconds=%.2f rss_mb=%d%n", count, concurrency, seconds, peakRssMb());
        System.exit(0);
    }

    /** VmHWM: the peak resident set size of this process. */
    static long peakRssMb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }

    /** Publishes nothing (the producer is created but never asked to send). */
    private static final class Silent extends EventPublisher {
        Silent() {
            super("127.0.0.1:9", new EventRecords(new TopicNames("d", "a", "e"), "bench"));
        }

        @Override
        public void publish(ImageEvent event) {
        }

        @Override
        public void publishQuietly(ImageEvent event) {
        }
    }
}

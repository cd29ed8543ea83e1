package org.imagemanager.localkafka;

/**
 * The broker JVM's main class: formats the KRaft storage, then runs the broker, in one JVM. Formatting in a JVM of
 * its own cost a second JVM start (about a second and a half here) on every embedded run.
 *
 * <p>Arguments: cluster id, path of server.properties.
 */
public final class FormatThenServe {
    private FormatThenServe() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: FormatThenServe CLUSTER_ID SERVER_PROPERTIES");
            System.exit(2);
        }
        int formatted = kafka.tools.StorageTool.execute(new String[]{"format", "-t", args[0], "-c", args[1]}, System.out);
        if (formatted != 0) {
            System.err.println("formatting Kafka storage failed (exit " + formatted + ")");
            System.exit(formatted);
        }
        kafka.Kafka.main(new String[]{args[1]});
    }
}

package org.imagemanager.importer;

import org.imagemanager.kafka.ServiceMain;

/** Runs the importer-service alone (see docker-compose.yml). */
public final class ImporterServiceMain {
    private ImporterServiceMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run("importer-service", args);
    }
}

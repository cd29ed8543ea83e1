package org.imagemanager.definitions;

import org.imagemanager.kafka.ServiceMain;

/** Runs the definitions-service alone (see docker-compose.yml). */
public final class DefinitionsServiceMain {
    private DefinitionsServiceMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run("definitions-service", args);
    }
}

package org.imagemanager.rotator;

import org.imagemanager.kafka.ServiceMain;

/** Runs the rotator-service alone (see docker-compose.yml). */
public final class RotatorServiceMain {
    private RotatorServiceMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run("rotator-service", args);
    }
}

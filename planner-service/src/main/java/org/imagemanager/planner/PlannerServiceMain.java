package org.imagemanager.planner;

import org.imagemanager.kafka.ServiceMain;

/** Runs the planner-service alone (see docker-compose.yml). */
public final class PlannerServiceMain {
    private PlannerServiceMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run("planner-service", args);
    }
}

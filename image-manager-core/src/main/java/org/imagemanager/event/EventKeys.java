package org.imagemanager.event;

/** Record keys shared by the topics. */
public final class EventKeys {
    private EventKeys() {
    }

    public static String of(String cloud, String family) {
        return cloud + "/" + family;
    }
}

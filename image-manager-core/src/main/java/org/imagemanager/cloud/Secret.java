package org.imagemanager.cloud;

/** A credential that never shows in logs, events or exception messages. */
public record Secret(String value) {
    @Override
    public String toString() {
        return "******";
    }
}

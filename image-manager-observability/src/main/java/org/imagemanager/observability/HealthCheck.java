package org.imagemanager.observability;

/**
 * One part of {@code GET /health}. A service adds its own by declaring a bean of this type; {@code /health} is UP
 * only while every check is.
 */
public interface HealthCheck {
    /** The key of this check under {@code "checks"}. */
    String name();

    /** Called on each request to {@code /health}: answer quickly (cache what is slow to find out). */
    Health check();
}

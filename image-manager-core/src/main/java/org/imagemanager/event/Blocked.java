package org.imagemanager.event;

/**
 * Something the plan would do but must not, with the reason (a name taken by an unmanaged image, a delete without
 * confirmation, retirement suspended after a failed import, …). Reported, never carried out.
 */
public record Blocked(String actionId, String cloud, String family, String imageName, String reason) implements ImageAction {
    @Override
    public String describe() {
        return "blocked: " + (imageName == null ? "" : "'" + imageName + "': ") + reason;
    }
}

package org.imagemanager.event;

/**
 * Something the plan would do but must not, with the reason (a name taken by an unmanaged image, a delete without
 * confirmation, retirement suspended after a failed import, …). Reported, never carried out.
 */
public record Blocked(String actionId, String cloud, String family, String imageName, String reason) implements ImageAction {
    /**
     * How the reason of an import blocked by a name that an image outside the family holds begins (the holder's id
     * follows). Such a block does not heal by waiting; a one-shot sync reads it as a failure.
     */
    public static final String NAME_TAKEN = "cannot import: the name is taken by image ";

    @Override
    public String describe() {
        return "blocked: " + (imageName == null ? "" : "'" + imageName + "': ") + reason;
    }
}

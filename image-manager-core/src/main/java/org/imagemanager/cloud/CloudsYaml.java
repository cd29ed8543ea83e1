package org.imagemanager.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds and reads {@code clouds.yaml} the way the openstack CLI does: {@code OS_CLIENT_CONFIG_FILE}, then
 * {@code ./clouds.yaml}, {@code ~/.config/openstack/clouds.yaml}, {@code /etc/openstack/clouds.yaml}.
 */
public final class CloudsYaml {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private CloudsYaml() {
    }

    public static List<Path> searchPath(Map<String, String> environment) {
        List<Path> candidates = new ArrayList<>();
        String explicit = environment.get("OS_CLIENT_CONFIG_FILE");
        if (explicit != null && !explicit.isBlank()) {
            candidates.add(Path.of(explicit));
        }
        candidates.add(Path.of("clouds.yaml"));
        String home = environment.getOrDefault("HOME", System.getProperty("user.home"));
        candidates.add(Path.of(home, ".config", "openstack", "clouds.yaml"));
        candidates.add(Path.of("/etc/openstack/clouds.yaml"));
        return candidates;
    }

    /** The named cloud from the first {@code clouds.yaml} on the search path that defines it. */
    public static CloudConfig load(String cloudName) {
        return load(cloudName, System.getenv());
    }

    public static CloudConfig load(String cloudName, Map<String, String> environment) {
        List<Path> searched = searchPath(environment);
        for (Path file : searched) {
            if (Files.isRegularFile(file)) {
                Optional<CloudConfig> cloud = read(file, cloudName);
                if (cloud.isPresent()) {
                    return cloud.get();
                }
            }
        }
        throw new IllegalArgumentException("cloud '" + cloudName + "' is not defined in any clouds.yaml (searched "
                + searched + ")");
    }

    static Optional<CloudConfig> read(Path file, String cloudName) {
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Never the parser's message: it quotes the offending line, which may hold a password.
            var at = e.getLocation();
            throw new IllegalArgumentException("cannot read " + file + ": not valid YAML"
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getClass().getSimpleName());
        }
        JsonNode cloud = root.path("clouds").path(cloudName);
        if (cloud.isMissingNode()) {
            return Optional.empty();
        }
        JsonNode auth = cloud.path("auth");
        String authUrl = text(auth, "auth_url");
        if (authUrl == null) {
            throw new IllegalArgumentException(file + ": clouds." + cloudName + ".auth.auth_url is required");
        }
        String userDomain = firstNonNull(text(auth, "user_domain_name"), text(auth, "domain_name"), "Default");
        String projectDomain = firstNonNull(text(auth, "project_domain_name"), text(auth, "domain_name"), "Default");
        String password = text(auth, "password");
        return Optional.of(new CloudConfig(cloudName, authUrl, text(auth, "username"),
                password == null ? null : new Secret(password), userDomain, text(auth, "project_name"),
                text(auth, "project_id"), projectDomain, text(cloud, "region_name"),
                firstNonNull(text(cloud, "interface"), "public")));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... values) {
        for (T value : values) {
            if (value != null) {
                return value;
            }
        }
        return null;
    }
}

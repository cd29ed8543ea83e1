package org.imagemanager.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds and reads a cloud the way openstacksdk (and so the openstack CLI) does:
 * <ul>
 *   <li>{@code clouds.yaml} from {@code OS_CLIENT_CONFIG_FILE}, then {@code ./clouds.yaml},
 *       {@code ~/.config/openstack/clouds.yaml}, {@code /etc/openstack/clouds.yaml};</li>
 *   <li>{@code secure.yaml} (the secrets kept apart) from {@code OS_CLIENT_SECURE_FILE} or the same folders, merged
 *       over the cloud's entry;</li>
 *   <li>the cloud {@value #ENVVARS}, made from the {@code OS_*} variables alone.</li>
 * </ul>
 * Auth types: {@code password}/{@code v3password}, {@code v3applicationcredential}, {@code token}/{@code v3token}.
 * An entry with {@code regions: [A, B]} is one target per region, {@code NAME/A} and {@code NAME/B} ({@link #targets}).
 * Anything that would change how we connect but that we do not support fails here, naming the key: never ignored.
 */
public final class CloudsYaml {
    /** The cloud openstacksdk makes from the {@code OS_*} variables. */
    public static final String ENVVARS = "envvars";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> PASSWORD = Set.of("password", "v3password");
    private static final Set<String> APPLICATION_CREDENTIAL = Set.of("v3applicationcredential", "application_credential");
    private static final Set<String> TOKEN = Set.of("token", "v3token");
    /** OS_* variable → key of the cloud entry ({@code auth.} for keys of its auth section). */
    private static final Map<String, String> VARIABLES = variables();

    private CloudsYaml() {
    }

    private static Map<String, String> variables() {
        Map<String, String> v = new LinkedHashMap<>();
        for (String key : List.of("auth_url", "username", "user_id", "password", "user_domain_name", "user_domain_id",
                "project_name", "project_id", "project_domain_name", "project_domain_id", "domain_name", "domain_id",
                "application_credential_id", "application_credential_name", "application_credential_secret", "token")) {
            v.put("OS_" + key.toUpperCase(java.util.Locale.ROOT), "auth." + key);
        }
        v.put("OS_TENANT_NAME", "auth.project_name");
        v.put("OS_TENANT_ID", "auth.project_id");
        for (String key : List.of("auth_type", "region_name", "interface", "cacert", "cert", "key", "identity_api_version")) {
            v.put("OS_" + key.toUpperCase(java.util.Locale.ROOT), key);
        }
        v.put("OS_ENDPOINT_TYPE", "interface");
        return Map.copyOf(v);
    }

    public static List<Path> searchPath(Map<String, String> environment) {
        return searchPath(environment, "OS_CLIENT_CONFIG_FILE", "clouds.yaml");
    }

    private static List<Path> searchPath(Map<String, String> environment, String variable, String fileName) {
        List<Path> candidates = new ArrayList<>();
        String explicit = environment.get(variable);
        if (explicit != null && !explicit.isBlank()) {
            candidates.add(Path.of(explicit));
        }
        candidates.add(Path.of(fileName));
        String home = environment.getOrDefault("HOME", System.getProperty("user.home"));
        candidates.add(Path.of(home, ".config", "openstack", fileName));
        candidates.add(Path.of("/etc/openstack", fileName));
        return candidates;
    }

    /** The named cloud from the first {@code clouds.yaml} on the search path that defines it. */
    public static CloudConfig load(String cloudName) {
        return load(cloudName, System.getenv());
    }

    public static CloudConfig load(String cloudName, Map<String, String> environment) {
        if (ENVVARS.equals(cloudName)) {
            return fromEnvironment(environment);
        }
        Optional<Entry> entry = find(cloudName, environment);
        if (entry.isPresent()) {
            // an entry with regions, named alone, is its first region (as openstacksdk takes it)
            return bind(cloudName, inRegion(entry.get(), null), entry.get().where(), "clouds." + cloudName + ".");
        }
        int slash = cloudName.lastIndexOf('/');
        if (slash > 0) {
            // CLOUD/REGION: one region of an entry with regions: [..], a target of its own
            Optional<Entry> base = find(cloudName.substring(0, slash), environment);
            if (base.isPresent()) {
                String region = cloudName.substring(slash + 1);
                return bind(cloudName, inRegion(base.get(), region), base.get().where(),
                        "clouds." + cloudName.substring(0, slash) + ".");
            }
        }
        throw new IllegalArgumentException("cloud '" + cloudName + "' is not defined in any clouds.yaml (searched "
                + searchPath(environment) + ")" + (environment.containsKey("OS_AUTH_URL") ? "; for the OS_* variables use --cloud " + ENVVARS : ""));
    }

    /**
     * What {@code --cloud NAME} stands for: the entry itself, or, for an entry with {@code regions: [A, B]}, one target
     * per region ({@code NAME/A}, {@code NAME/B}), each planned, imported and reported on its own.
     */
    public static List<String> targets(String cloudName, Map<String, String> environment) {
        Optional<Entry> entry = ENVVARS.equals(cloudName) ? Optional.empty() : find(cloudName, environment);
        if (entry.isEmpty() || !entry.get().node().path("regions").isArray() || entry.get().node().path("regions").isEmpty()) {
            return List.of(cloudName);
        }
        List<String> targets = new ArrayList<>();
        entry.get().node().path("regions").forEach(region -> targets.add(cloudName + "/" + regionName(region)));
        return targets;
    }

    /** An entry of clouds.yaml with secure.yaml merged over it, and where it came from (for errors). */
    private record Entry(String name, ObjectNode node, String where) {
    }

    private static Optional<Entry> find(String cloudName, Map<String, String> environment) {
        for (Path file : searchPath(environment)) {
            if (Files.isRegularFile(file)) {
                JsonNode cloud = read(file).path("clouds").path(cloudName);
                if (!cloud.isMissingNode()) {
                    ObjectNode merged = cloud.deepCopy();
                    Optional<Path> secure = secureEntry(environment, cloudName).map(entry -> {
                        merge(merged, entry.node());
                        return entry.file();
                    });
                    return Optional.of(new Entry(cloudName, merged, file + secure.map(s -> " (with " + s + ")").orElse("")));
                }
            }
        }
        return Optional.empty();
    }

    /** A region's entry: {@code name} alone, or {@code {name: A, values: {...}}} whose values override the cloud's. */
    private static String regionName(JsonNode region) {
        return region.isObject() ? region.path("name").asText() : region.asText();
    }

    /**
     * The entry in {@code region} (null: its region_name, else its first region): region_name set, and the region's
     * own values merged over the cloud's. A region it does not list is an error naming the list.
     */
    private static ObjectNode inRegion(Entry entry, String region) {
        ObjectNode node = entry.node().deepCopy();
        JsonNode regions = node.remove("regions");
        if (regions == null || !regions.isArray() || regions.isEmpty()) {
            if (region != null) {
                throw new IllegalArgumentException(entry.where() + ": clouds." + entry.name() + " lists no regions, so '"
                        + entry.name() + "/" + region + "' names nothing (give regions: [..], or a cloud entry of that name)");
            }
            return node;
        }
        String wanted = region != null ? region : node.hasNonNull("region_name") ? node.get("region_name").asText() : null;
        for (JsonNode candidate : regions) {
            if (wanted == null || wanted.equals(regionName(candidate))) {
                node.put("region_name", regionName(candidate));
                if (candidate.path("values").isObject()) {
                    merge(node, candidate.path("values"));
                }
                return node;
            }
        }
        List<String> names = new ArrayList<>();
        regions.forEach(r -> names.add(regionName(r)));
        throw new IllegalArgumentException(entry.where() + ": clouds." + entry.name() + ".regions " + names
                + " has no region '" + wanted + "'");
    }

    /** Reads the file; never shows the parser's message, which quotes the offending line (maybe a password). */
    private static JsonNode read(Path file) {
        try {
            JsonNode root = YAML.readTree(file.toFile());
            return root == null ? YAML.createObjectNode() : root;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var at = e.getLocation();
            throw new IllegalArgumentException("cannot read " + file + ": not valid YAML"
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getClass().getSimpleName());
        }
    }

    private record SecureEntry(Path file, JsonNode node) {
    }

    private static Optional<SecureEntry> secureEntry(Map<String, String> environment, String cloudName) {
        for (Path file : searchPath(environment, "OS_CLIENT_SECURE_FILE", "secure.yaml")) {
            if (Files.isRegularFile(file)) {
                JsonNode entry = read(file).path("clouds").path(cloudName);
                if (entry.isObject()) {
                    return Optional.of(new SecureEntry(file, entry));
                }
            }
        }
        return Optional.empty();
    }

    /** openstacksdk's merge: mappings merge key by key, anything else from {@code over} wins. */
    private static void merge(ObjectNode base, JsonNode over) {
        for (Iterator<Map.Entry<String, JsonNode>> it = over.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode existing = base.get(field.getKey());
            if (existing instanceof ObjectNode object && field.getValue().isObject()) {
                merge(object, field.getValue());
            } else {
                base.set(field.getKey(), field.getValue());
            }
        }
    }

    private static CloudConfig fromEnvironment(Map<String, String> environment) {
        ObjectNode cloud = YAML.createObjectNode();
        VARIABLES.forEach((variable, key) -> {
            String value = environment.get(variable);
            if (value != null && !value.isBlank()) {
                if (key.startsWith("auth.")) {
                    cloud.with("auth").put(key.substring(5), value);
                } else if (!cloud.has(key)) {
                    cloud.put(key, value);
                }
            }
        });
        if (!cloud.path("auth").has("auth_url")) {
            throw new IllegalArgumentException("cloud '" + ENVVARS + "' needs OS_AUTH_URL (and the other OS_* variables of a cloud)");
        }
        return bind(ENVVARS, cloud, "the environment", "OS_");
    }

    /**
     * @param prefix how a key is named in errors: {@code clouds.NAME.} in a file, {@code OS_} for the variables
     */
    static CloudConfig bind(String cloudName, JsonNode cloud, String where, String prefix) {
        boolean variables = prefix.equals("OS_");
        java.util.function.Function<String, String> named = key -> variables
                ? "OS_" + key.substring(key.indexOf('.') + 1).toUpperCase(java.util.Locale.ROOT) : prefix + key;
        for (String unsupported : List.of("cert", "key")) {
            if (cloud.hasNonNull(unsupported)) {
                throw new IllegalArgumentException(where + ": " + named.apply(unsupported)
                        + ": client certificates are not supported (yet); nothing was changed");
            }
        }
        String version = text(cloud, "identity_api_version");
        if (version != null && !version.equals("3") && !version.equals("3.0")) {
            throw new IllegalArgumentException(where + ": " + named.apply("identity_api_version") + ": '" + version
                    + "' is not supported: only Keystone v3");
        }
        JsonNode auth = cloud.path("auth");
        String authUrl = text(auth, "auth_url");
        if (authUrl == null) {
            throw new IllegalArgumentException(where + ": " + named.apply("auth.auth_url") + " is required");
        }
        String authType = firstNonNull(text(cloud, "auth_type"), "password");
        String domainName = text(auth, "domain_name");
        String domainId = text(auth, "domain_id");
        String userDomainId = firstNonNull(text(auth, "user_domain_id"), domainId);
        String userDomainName = firstNonNull(text(auth, "user_domain_name"), domainName, userDomainId == null ? "Default" : null);
        CloudConfig.User user = new CloudConfig.User(text(auth, "user_id"), text(auth, "username"), userDomainId, userDomainName);
        String projectDomainId = firstNonNull(text(auth, "project_domain_id"), domainId);
        String projectDomainName = firstNonNull(text(auth, "project_domain_name"), domainName, projectDomainId == null ? "Default" : null);
        CloudConfig.Scope scope = new CloudConfig.Scope(text(auth, "project_id"), text(auth, "project_name"),
                projectDomainId, projectDomainName);
        CloudConfig.Auth credentials;
        if (PASSWORD.contains(authType)) {
            credentials = new CloudConfig.Password(user, secret(auth, "password"));
        } else if (APPLICATION_CREDENTIAL.contains(authType)) {
            String id = text(auth, "application_credential_id");
            String name = text(auth, "application_credential_name");
            Secret secret = secret(auth, "application_credential_secret");
            if (secret == null) {
                throw new IllegalArgumentException(where + ": " + named.apply("auth.application_credential_secret") + " is required");
            }
            if (id == null && (name == null || (user.id() == null && user.name() == null))) {
                throw new IllegalArgumentException(where + ": " + named.apply("auth.application_credential_id")
                        + " is required (or application_credential_name with username or user_id)");
            }
            credentials = new CloudConfig.ApplicationCredential(id, name, user, secret);
            scope = null; // Keystone scopes it to the credential's project; a scope beside it is refused
        } else if (TOKEN.contains(authType)) {
            Secret token = secret(auth, "token");
            if (token == null) {
                throw new IllegalArgumentException(where + ": " + named.apply("auth.token") + " is required");
            }
            credentials = new CloudConfig.Token(token);
        } else {
            throw new IllegalArgumentException(where + ": " + named.apply("auth_type") + ": '" + authType
                    + "' is not supported (supported: password, v3password, v3applicationcredential, token, v3token)");
        }
        String cacert = text(cloud, "cacert");
        if (cacert != null && !Files.isReadable(Path.of(cacert))) {
            throw new IllegalArgumentException(where + ": " + named.apply("cacert") + ": cannot read " + cacert);
        }
        JsonNode verify = cloud.get("verify");
        boolean verifying = verify == null || verify.isNull() || !(verify.asText().equalsIgnoreCase("false"));
        return new CloudConfig(cloudName, authUrl, credentials, scope, text(cloud, "region_name"),
                firstNonNull(text(cloud, "interface"), "public"),
                new CloudConfig.Tls(cacert == null ? null : Path.of(cacert), verifying));
    }

    private static Secret secret(JsonNode node, String field) {
        String value = text(node, field);
        return value == null ? null : new Secret(value);
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

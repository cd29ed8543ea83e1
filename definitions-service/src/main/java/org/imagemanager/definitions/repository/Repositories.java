package org.imagemanager.definitions.repository;

import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;
import org.imagemanager.cloud.Secret;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The configured repositories:
 * <pre>
 * image-manager.definitions.repositories.NAME.url: /srv/definitions | https://git.example.com/ops/images.git
 *                                          .branch: main
 *                                          .subfolder: images/
 *                                          .username / .password-file | .password-env   (a token works as password)
 *                                          .ssh-key-file / .known-hosts-file
 *                                          .webhook-secret-file | .webhook-secret-env
 * </pre>
 * {@code image-manager.definitions.repository} (with {@code .branch}, {@code .subfolder}, …) is the short form of
 * one repository named {@code default}.
 */
@Singleton
public class Repositories {
    private static final String PREFIX = "image-manager.definitions.repositories.";
    private static final String SHORT_FORM = "image-manager.definitions.";

    private final List<RepositorySettings> all;

    public Repositories(Environment environment) {
        this(key -> environment.getProperty(key, String.class), environment.getPropertyEntries(
                "image-manager.definitions.repositories"), System::getenv);
    }

    Repositories(Function<String, Optional<String>> properties, java.util.Collection<String> names,
                 Function<String, String> env) {
        List<RepositorySettings> found = new ArrayList<>();
        properties.apply(SHORT_FORM + "repository").ifPresent(location ->
                found.add(settings("default", location, key -> properties.apply(SHORT_FORM + key), env)));
        for (String name : names.stream().sorted().toList()) {
            String location = properties.apply(PREFIX + name + ".url").orElseThrow(() ->
                    new IllegalStateException(PREFIX + name + ".url is missing"));
            found.add(settings(name, location, key -> properties.apply(PREFIX + name + "." + key), env));
        }
        if (found.stream().map(RepositorySettings::name).distinct().count() != found.size()) {
            throw new IllegalStateException("two definitions repositories are named 'default'");
        }
        this.all = List.copyOf(found);
    }

    public List<RepositorySettings> all() {
        return all;
    }

    public Optional<RepositorySettings> named(String name) {
        return all.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    private static RepositorySettings settings(String name, String location, Function<String, Optional<String>> key,
                                               Function<String, String> env) {
        String branch = key.apply("branch").filter(b -> !b.isBlank()).orElse("main");
        String subfolder = key.apply("subfolder").filter(s -> !s.isBlank()).orElse(null);
        Optional<Secret> password = secret(name, "password", key, env);
        Optional<String> sshKey = key.apply("ssh-key-file").filter(s -> !s.isBlank());
        RepositoryCredentials credentials;
        if (sshKey.isPresent()) {
            credentials = new RepositoryCredentials.SshKey(Path.of(sshKey.get()),
                    key.apply("known-hosts-file").map(Path::of).orElse(null));
        } else if (password.isPresent()) {
            credentials = new RepositoryCredentials.Basic(key.apply("username").orElse("x-access-token"), password.get());
        } else {
            credentials = new RepositoryCredentials.None();
        }
        return new RepositorySettings(name, location, branch, subfolder, credentials,
                secret(name, "webhook-secret", key, env).orElse(null));
    }

    /** {@code KIND-file} (a file holding the secret) or {@code KIND-env} (an environment variable's name). */
    private static Optional<Secret> secret(String repository, String kind, Function<String, Optional<String>> key,
                                           Function<String, String> env) {
        Optional<String> file = key.apply(kind + "-file").filter(s -> !s.isBlank());
        if (file.isPresent()) {
            try {
                return Optional.of(new Secret(Files.readString(Path.of(file.get())).strip()));
            } catch (IOException e) {
                throw new UncheckedIOException("repository " + repository + ": cannot read " + kind + " file " + file.get(), e);
            }
        }
        Optional<String> variable = key.apply(kind + "-env").filter(s -> !s.isBlank());
        if (variable.isPresent()) {
            String value = env.apply(variable.get());
            if (value == null || value.isBlank()) {
                throw new IllegalStateException("repository " + repository + ": environment variable " + variable.get() + " is not set");
            }
            return Optional.of(new Secret(value.strip()));
        }
        return Optional.empty();
    }

    /** For tests: settings from a flat map of properties. */
    static Repositories of(Map<String, String> properties, Function<String, String> env) {
        List<String> names = properties.keySet().stream().filter(k -> k.startsWith(PREFIX))
                .map(k -> k.substring(PREFIX.length(), k.indexOf('.', PREFIX.length()))).distinct().toList();
        return new Repositories(k -> Optional.ofNullable(properties.get(k)), names, env);
    }
}

package org.imagemanager.rotator;

import org.imagemanager.cloud.CloudConfig;
import org.imagemanager.cloud.CloudsYaml;
import org.openstack4j.api.Builders;
import org.openstack4j.api.OSClient;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.model.identity.v3.Domain;
import org.openstack4j.openstack.OSFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A Keystone domain with a few projects, made with the admin cloud for one test and removed again on close. */
final class TestDomain implements AutoCloseable {
    private final OSClient.OSClientV3 keystone;
    private final Domain domain;
    private final List<String> projectIds = new ArrayList<>();

    TestDomain(Path cloudsFile, String adminCloud, String name, int projects) {
        CloudConfig admin = CloudsYaml.load(adminCloud, Map.of("OS_CLIENT_CONFIG_FILE", cloudsFile.toString()));
        keystone = OSFactory.builderV3()
                .endpoint(admin.authUrl())
                .credentials(admin.username(), admin.password().value(), Identifier.byName(admin.userDomainName()))
                .scopeToProject(Identifier.byName(admin.projectName()), Identifier.byName(admin.projectDomainName()))
                .authenticate();
        domain = keystone.identity().domains().create(Builders.domain().name(name).enabled(true).build());
        for (int n = 1; n <= projects; n++) {
            projectIds.add(keystone.identity().projects().create(Builders.project().name(name + "-p" + n)
                    .domainId(domain.getId()).enabled(true).build()).getId());
        }
    }

    String name() {
        return domain.getName();
    }

    String id() {
        return domain.getId();
    }

    List<String> projectIds() {
        return List.copyOf(projectIds);
    }

    @Override
    public void close() {
        projectIds.forEach(id -> keystone.identity().projects().delete(id));
        // Keystone deletes only a disabled domain
        keystone.identity().domains().update(Builders.domain().id(domain.getId()).name(domain.getName()).enabled(false).build());
        keystone.identity().domains().delete(domain.getId());
    }
}

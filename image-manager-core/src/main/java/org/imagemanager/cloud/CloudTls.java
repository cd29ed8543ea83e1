package org.imagemanager.cloud;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;

/**
 * A cloud's {@code cacert} and {@code verify} as the JDK applies them: for every connection to the cloud (Keystone and
 * Glance), and for the https sources of the images imported into it.
 */
public final class CloudTls {
    private static final Logger LOG = LoggerFactory.getLogger(CloudTls.class);

    private CloudTls() {
    }

    /** The context for this cloud's Keystone and Glance: the JDK's trust store, only the CAs of {@code cacert}, or none. */
    public static SSLContext context(CloudConfig cloud) {
        return context(cloud, false);
    }

    /**
     * The context for the https sources of images imported into this cloud: the JDK's trust store plus the CAs of
     * {@code cacert} (a private CA signs the operator's own mirror as often as its cloud, and public sources must
     * still be trusted), or none with {@code verify: false} (the bytes are still proven by their checksum).
     */
    public static SSLContext sourceContext(CloudConfig cloud) {
        return context(cloud, true);
    }

    private static SSLContext context(CloudConfig cloud, boolean withTheJdksCas) {
        CloudConfig.Tls tls = cloud.tls();
        try {
            if (!tls.verify()) {
                if (!withTheJdksCas) {
                    // the operator's explicit choice; said once per cloud, since it makes the connection spoofable
                    LOG.warn("cloud={}: TLS certificates are not verified (verify: false)", cloud.name());
                }
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[]{new TrustingEveryone()}, null);
                return context;
            }
            if (tls.cacert() == null) {
                return SSLContext.getDefault();
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            Collection<? extends Certificate> certificates;
            try (InputStream in = Files.newInputStream(tls.cacert())) {
                certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("cloud '" + cloud.name() + "': cacert " + tls.cacert() + " holds no certificate");
            }
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            if (withTheJdksCas) {
                for (X509Certificate jdkCa : jdksTrustedCas()) {
                    store.setCertificateEntry("jdk-" + i++, jdkCa);
                }
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cloud '" + cloud.name() + "': cannot use cacert " + tls.cacert() + ": " + e.getMessage(), e);
        }
    }

    private static X509Certificate[] jdksTrustedCas() throws GeneralSecurityException {
        TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        jdk.init((KeyStore) null);
        for (TrustManager manager : jdk.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509.getAcceptedIssuers();
            }
        }
        return new X509Certificate[0];
    }

    /**
     * Trusts every chain and every host name: as an {@link X509ExtendedTrustManager} it takes the place of JSSE's
     * host name check too (a plain X509TrustManager would be wrapped in one that still checks it), so
     * {@code verify: false} holds for this cloud's connections only, not through a process-wide property.
     */
    private static final class TrustingEveryone extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

package org.imagemanager.cloud;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;

/**
 * A cloud's {@code cacert} and {@code verify} as the JDK applies them, for every connection to the cloud (Keystone and
 * Glance, through the JDK's HTTP client and through openstack4j).
 */
public final class CloudTls {
    private static final Logger LOG = LoggerFactory.getLogger(CloudTls.class);

    private CloudTls() {
    }

    /** The context for this cloud: the JDK's trust store, only the CAs of {@code cacert}, or (verify: false) none. */
    public static SSLContext context(CloudConfig cloud) {
        CloudConfig.Tls tls = cloud.tls();
        try {
            if (!tls.verify()) {
                // the operator's explicit choice; said once per cloud, since it makes the connection spoofable
                LOG.warn("cloud={}: TLS certificates are not verified (verify: false)", cloud.name());
                disableHostnameVerification();
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
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cloud '" + cloud.name() + "': cannot use cacert " + tls.cacert() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The JDK's HTTP client checks host names unless this system property is set, for the whole process: only an
     * operator's {@code verify: false} sets it.
     */
    private static void disableHostnameVerification() {
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    }

    private static final class TrustingEveryone implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

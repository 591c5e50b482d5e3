package io.larder.onlinestore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Trust in exactly the PEM certificates of one file (a private CA, say), read once: the clients of
 * the online store (Lettuce, Jedis) would otherwise read the file again on every connect, which on
 * Lettuce happens on an event loop.
 */
public final class PemTrust {

  private PemTrust() {}

  /**
   * @param setting the property naming the file, for messages
   * @throws IllegalArgumentException when the file cannot be read or holds no certificate
   */
  public static TrustManagerFactory trustManagerFactory(String caFile, String setting) {
    try (InputStream in = Files.newInputStream(Path.of(caFile))) {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      int index = 0;
      for (Certificate certificate :
          CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trusted.setCertificateEntry("ca-" + index++, certificate);
      }
      if (index == 0) {
        throw new IllegalArgumentException(setting + " " + caFile + " holds no certificate");
      }
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      return trust;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          setting + " " + caFile + " cannot be read: " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          setting + " " + caFile + " is not PEM certificates: " + e.getMessage(), e);
    }
  }

  /** The JVM's default trust store (cacerts), loaded now rather than on a first connect. */
  public static TrustManagerFactory jvmDefault() {
    try {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init((KeyStore) null);
      return trust;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "the JVM's trust store cannot be loaded: " + e.getMessage(), e);
    }
  }

  /** A TLS context trusting exactly those certificates. */
  public static SSLContext sslContext(String caFile, String setting) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trustManagerFactory(caFile, setting).getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JVM: " + e.getMessage(), e);
    }
  }
}

package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A throw-away certificate authority made with the JDK's keytool: its certificate as a PEM file
 * and a server key pair it signed (for 127.0.0.1), as an operator's internal CA would be.
 */
final class TestCa {
  final Path caPem;
  final Path serverStore;

  private TestCa(Path caPem, Path serverStore) {
    this.caPem = caPem;
    this.serverStore = serverStore;
  }

  static TestCa make(Path dir, String name) throws Exception {
    Path ca = dir.resolve(name + "-ca.p12");
    Path pem = dir.resolve(name + "-ca.pem");
    Path server = dir.resolve(name + "-server.p12");
    Path csr = dir.resolve(name + "-server.csr");
    Path crt = dir.resolve(name + "-server.crt");
    keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + name + " test CA", "-ext", "bc:c", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", ca.toString(), "-storepass", "changeit");
    keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(),
        "-storepass", "changeit", "-file", pem.toString());
    keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", server.toString(), "-storepass", "changeit");
    keytool("-certreq", "-alias", "server", "-keystore", server.toString(),
        "-storepass", "changeit", "-file", csr.toString());
    keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(),
        "-storepass", "changeit", "-infile", csr.toString(), "-outfile", crt.toString(),
        "-ext", "SAN=ip:127.0.0.1", "-validity", "2");
    keytool("-importcert", "-noprompt", "-alias", "ca", "-file", pem.toString(),
        "-keystore", server.toString(), "-storepass", "changeit");
    keytool("-importcert", "-alias", "server", "-file", crt.toString(),
        "-keystore", server.toString(), "-storepass", "changeit");
    return new TestCa(pem, server);
  }

  /** The server side: the CA-signed key pair. */
  SSLContext serverContext() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(serverStore.toFile())) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    return tls;
  }

  private static void keytool(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0,
        "keytool " + args[0] + ": " + out);
  }
}

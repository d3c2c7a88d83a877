package dev.hearth.resolver.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority made with the {@code openssl} command line, for TLS servers
 * started by tests: real certificates, signed by a CA only the test trusts.
 */
public final class UpstreamCa {
  private final Path dir;
  private final Path key;
  private final Path cert;

  private UpstreamCa(Path dir, String name) {
    this.dir = dir;
    this.key = dir.resolve(name + "-ca.key");
    this.cert = dir.resolve(name + "-ca.pem");
  }

  /** A new CA, its files in {@code dir}. */
  public static UpstreamCa create(Path dir, String name) throws IOException {
    UpstreamCa ca = new UpstreamCa(dir, name);
    openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", ca.key.toString(), "-out", ca.cert.toString(), "-days", "2",
        "-subj", "/CN=Hearth test CA " + name,
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    return ca;
  }

  /** The CA certificate (PEM), to give a client as its trust anchor. */
  public Path certificate() {
    return cert;
  }

  /** A server key and certificate for the given DNS names and IP addresses: [key, cert]. */
  public Path[] issue(String name, List<String> dnsNames, List<String> ips) throws IOException {
    Path k = dir.resolve(name + ".key");
    Path csr = dir.resolve(name + ".csr");
    Path c = dir.resolve(name + ".pem");
    Path ext = dir.resolve(name + ".ext");
    List<String> san = new ArrayList<>();
    dnsNames.forEach(d -> san.add("DNS:" + d));
    ips.forEach(i -> san.add("IP:" + i));
    Files.writeString(ext, "subjectAltName=" + String.join(",", san)
        + "\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n", StandardCharsets.UTF_8);
    openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", k.toString(), "-out", csr.toString(), "-subj", "/CN=" + name);
    openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", cert.toString(), "-CAkey",
        key.toString(), "-CAcreateserial", "-out", c.toString(), "-days", "2", "-extfile",
        ext.toString());
    return new Path[] {k, c};
  }

  private static void openssl(Path dir, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("openssl timed out: " + cmd);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException("openssl failed: " + cmd + "\n" + out);
    }
  }
}

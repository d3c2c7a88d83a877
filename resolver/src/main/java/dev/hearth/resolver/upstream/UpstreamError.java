package dev.hearth.resolver.upstream;

import java.io.IOException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import javax.net.ssl.SSLException;

/**
 * A failure at one upstream with a short reason that is safe to show a client in the EDE text
 * ("certificate name mismatch", "HTTP status 503"): it names what went wrong, never the server.
 */
final class UpstreamError extends IOException {
  private final String reason;

  UpstreamError(String reason) {
    super(reason, null);
    this.reason = reason;
  }

  UpstreamError(String reason, Throwable cause) {
    super(reason + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage()),
        cause);
    this.reason = reason;
  }

  String reason() {
    return reason;
  }

  /** Names why a TLS connection could not be set up, from the JDK's exception chain. */
  static UpstreamError tls(Throwable failure) {
    boolean tls = false;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
        return new UpstreamError("certificate expired or not yet valid", failure);
      }
      String m = t.getMessage() == null ? "" : t.getMessage();
      if (m.contains("No subject alternative") || m.contains("No name matching")) {
        return new UpstreamError("certificate name mismatch", failure);
      }
      if (m.contains("PKIX path") || m.contains("unable to find valid certification path")) {
        return new UpstreamError("certificate not trusted", failure);
      }
      tls |= t instanceof SSLException;
    }
    if (failure instanceof UpstreamError e) {
      return e;
    }
    return new UpstreamError(tls ? "TLS handshake failed" : "connection failed", failure);
  }
}

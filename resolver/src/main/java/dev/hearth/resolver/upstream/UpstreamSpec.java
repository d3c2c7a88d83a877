package dev.hearth.resolver.upstream;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One configured upstream server. {@code validating} marks an upstream the operator trusts to
 * validate DNSSEC: only its AD bit is passed on to clients (RFC 6840 section 5.7).
 */
public record UpstreamSpec(InetSocketAddress address, boolean validating) {
  public UpstreamSpec {
    Objects.requireNonNull(address, "address");
  }

  @Override
  public String toString() {
    return address.getAddress().getHostAddress() + ":" + address.getPort()
        + (validating ? " (validating)" : "");
  }
}

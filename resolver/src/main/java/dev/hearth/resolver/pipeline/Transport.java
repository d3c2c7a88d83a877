package dev.hearth.resolver.pipeline;

/** How a query reached us; decides the response size limit and which limits apply. */
public enum Transport {
  UDP,
  TCP,
  /** DNS over TLS (RFC 7858): TCP framing inside TLS. */
  DOT,
  /** DNS over HTTPS (RFC 8484), HTTP/2 or HTTP/1.1. */
  DOH
}

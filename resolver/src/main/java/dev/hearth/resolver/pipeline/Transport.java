package dev.hearth.resolver.pipeline;

/** How a query reached us; decides the response size limit and which limits apply. */
public enum Transport {
  UDP,
  TCP
}

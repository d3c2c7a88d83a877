package dev.hearth.resolver.policy;

import java.util.List;

/**
 * Who runs the filtering and how to reach them, for structured Extended DNS Errors
 * (draft-ietf-dnsop-structured-dns-error): {@code o} organisation, {@code c} contacts (only
 * {@code mailto:} and {@code tel:} URIs, which clients show but never fetch) and {@code l} the
 * language of the texts.
 */
public record Operator(String organisation, List<String> contacts, String language) {
  public static final Operator NONE = new Operator(null, List.of(), "en");

  public Operator {
    contacts = List.copyOf(contacts);
    for (String c : contacts) {
      if (!(c.startsWith("mailto:") || c.startsWith("tel:")) || c.length() < 6) {
        throw new IllegalArgumentException("contact '" + c + "' must be a mailto: or tel: URI");
      }
    }
    language = language == null || language.isBlank() ? "en" : language;
    if (!language.matches("[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")) {
      throw new IllegalArgumentException("'" + language + "' is not a language tag (e.g. en,"
          + " fr-CA)");
    }
  }
}

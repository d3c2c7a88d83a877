package dev.hearth.blocklists;

/** Block list syntaxes; {@link #AUTO} picks one from the first lines of the file. */
public enum Format {
  DOMAINS,
  HOSTS,
  ADBLOCK,
  /** Response Policy Zone files (QNAME triggers). */
  RPZ,
  /** One URL per line, or CSV with a URL column (e.g. the IWF URL list). */
  URLS,
  AUTO
}

package dev.hearth.blocklists;

/** Block list syntaxes; {@link #AUTO} picks one from the first lines of the file. */
public enum Format {
  DOMAINS,
  HOSTS,
  ADBLOCK,
  AUTO
}

package dev.hearth.resolver.policy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Enforced SafeSearch: the search and video sites' names a profile answers with a CNAME to the
 * engine's locked-down host ({@code www.google.com} to {@code forcesafesearch.google.com},
 * YouTube to {@code restrict.youtube.com} or {@code restrictmoderate.youtube.com}, ...), resolved
 * through the upstream like any CNAME. The table is data ({@code safesearch.txt} next to this
 * class), not code: one name a line, its strict target and, if different, its moderate target.
 */
public final class SafeSearch {
  /** A profile's choice. MODERATE differs from STRICT only where the site has two levels. */
  public enum Mode { OFF, MODERATE, STRICT }

  private static final SafeSearch DEFAULTS = loadDefaults();

  /** Name to {strict target, moderate target}. */
  private final Map<String, String[]> targets;

  private SafeSearch(Map<String, String[]> targets) {
    this.targets = Map.copyOf(targets);
  }

  /** The built-in table. */
  public static SafeSearch defaults() {
    return DEFAULTS;
  }

  public int size() {
    return targets.size();
  }

  /** The locked-down host to answer {@code name} with, or null (OFF, or not a listed name). */
  public String target(String name, Mode mode) {
    if (mode == Mode.OFF) {
      return null;
    }
    String[] t = targets.get(name);
    return t == null ? null : mode == Mode.STRICT ? t[0] : t[1];
  }

  /**
   * Reads a table; {@code source} names it in errors.
   *
   * @throws IllegalArgumentException naming {@code source:line} for a bad line
   */
  public static SafeSearch parse(Reader in, String source) throws IOException {
    Map<String, String[]> t = new HashMap<>();
    BufferedReader r = new BufferedReader(in);
    int lineNo = 0;
    for (String line; (line = r.readLine()) != null; ) {
      lineNo++;
      String s = line.strip();
      if (s.isEmpty() || s.startsWith("#")) {
        continue;
      }
      String[] f = s.split("\\s+");
      if (f.length < 2 || f.length > 3) {
        throw new IllegalArgumentException(source + ":" + lineNo
            + ": expected 'name strict-target [moderate-target]', got: " + s);
      }
      try {
        String name = dev.hearth.blocklists.DomainNames.normalize(f[0]);
        String strict = dev.hearth.blocklists.DomainNames.normalize(f[1]);
        String moderate = f.length == 3 ? dev.hearth.blocklists.DomainNames.normalize(f[2])
            : strict;
        if (t.put(name, new String[] {strict, moderate}) != null) {
          throw new IllegalArgumentException("listed twice: " + name);
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ":" + lineNo + ": " + e.getMessage());
      }
    }
    return new SafeSearch(t);
  }

  private static SafeSearch loadDefaults() {
    try (InputStream in = SafeSearch.class.getResourceAsStream("safesearch.txt")) {
      if (in == null) {
        throw new IllegalStateException("safesearch.txt is missing from the jar");
      }
      return parse(new InputStreamReader(in, StandardCharsets.UTF_8), "safesearch.txt");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read safesearch.txt: " + e.getMessage(), e);
    }
  }
}

package dev.hearth.resolver.policy;

/**
 * How a profile answers a blocked name. NXDOMAIN is what most filters send and what apps handle
 * best; NODATA keeps the name "existing"; a null address (0.0.0.0 / ::) fails connections at once
 * (some apps retry less); the block page address lets a browser on plain HTTP show why. Rules
 * that carry their own answer (RPZ NODATA, drop, local data) keep it.
 */
public enum BlockAnswer {
  NXDOMAIN, NODATA, NULL_ADDRESS, BLOCK_PAGE;

  /** Parses the config spelling: {@code nxdomain}, {@code nodata}, {@code null-address}, {@code block-page}. */
  public static BlockAnswer parse(String text) {
    switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "nxdomain":
        return NXDOMAIN;
      case "nodata":
        return NODATA;
      case "null":
      case "null-address":
      case "0.0.0.0":
        return NULL_ADDRESS;
      case "block-page":
      case "blockpage":
        return BLOCK_PAGE;
      default:
        throw new IllegalArgumentException("unknown block answer '" + text
            + "' (expected nxdomain, nodata, null-address or block-page)");
    }
  }
}

package dev.hearth.blocklists;

/**
 * How a blocked name is answered. Plain lists always mean {@link #NXDOMAIN}; RPZ zones choose per
 * rule ({@code CNAME .}, {@code CNAME *.}, {@code CNAME rpz-drop.}, or records of their own).
 */
public enum BlockAction {
  NXDOMAIN, NODATA, DROP, LOCAL_DATA
}

package dev.hearth.admin.web;

import dev.hearth.admin.store.AdminStore;
import dev.hearth.admin.store.StoreException;
import io.javalin.http.Context;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A filtered read of the audit log: by actor, action (prefix, e.g. {@code profile.}), target,
 * and time range, newest first, at most {@code limit} rows (default 100, at most 10,000).
 */
record AuditQuery(String actor, String action, String target, Instant since, Instant until,
    int limit) {

  static AuditQuery from(Context ctx) {
    int limit = 100;
    String l = ctx.queryParam("limit");
    if (l != null) {
      try {
        limit = Integer.parseInt(l.trim());
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > 10_000) {
        throw new AdminServer.ApiError(400, "limit", "'limit' must be a whole number from 1 to"
            + " 10000");
      }
    }
    return new AuditQuery(ctx.queryParam("actor"), ctx.queryParam("action"),
        ctx.queryParam("target"), time(ctx, "since"), time(ctx, "until"), limit);
  }

  private static Instant time(Context ctx, String param) {
    String v = ctx.queryParam(param);
    if (v == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(v.trim()).toInstant();
    } catch (DateTimeParseException e) {
      throw new AdminServer.ApiError(400, param, "'" + v + "' is not an ISO 8601 time with an"
          + " offset, e.g. 2026-11-26T00:00:00Z");
    }
  }

  List<Map<String, Object>> run(AdminStore store) throws StoreException {
    StringBuilder sql = new StringBuilder("SELECT id, at, actor, action, target, before, after"
        + " FROM audit_log WHERE 1 = 1");
    List<String> args = new ArrayList<>();
    if (actor != null) {
      sql.append(" AND actor = ?");
      args.add(actor);
    }
    if (action != null) {
      sql.append(" AND substr(action, 1, ?) = ?");
      args.add(null); // placeholder for the length, set below
      args.add(action);
    }
    if (target != null) {
      sql.append(" AND target = ?");
      args.add(target);
    }
    if (since != null) {
      // As instants, not as text: stored times have as many fraction digits as they need.
      sql.append(" AND ").append(store.dialect().instant("at")).append(" >= ")
          .append(store.dialect().instant("?"));
      args.add(since.toString());
    }
    if (until != null) {
      sql.append(" AND ").append(store.dialect().instant("at")).append(" < ")
          .append(store.dialect().instant("?"));
      args.add(until.toString());
    }
    sql.append(" ORDER BY id DESC LIMIT ?");
    return store.read(c -> {
      List<Map<String, Object>> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        int i = 1;
        for (String a : args) {
          if (a == null) {
            ps.setInt(i++, action.length());
          } else {
            ps.setString(i++, a);
          }
        }
        ps.setInt(i, limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", rs.getLong(1));
            m.put("at", rs.getString(2));
            m.put("actor", rs.getString(3));
            m.put("action", rs.getString(4));
            m.put("target", rs.getString(5));
            m.put("before", rs.getString(6));
            m.put("after", rs.getString(7));
            out.add(m);
          }
        }
      }
      return out;
    });
  }

  /** RFC 4180 CSV, with cells that a spreadsheet would run as formulas defused. */
  static String csv(List<Map<String, Object>> rows) {
    StringBuilder b = new StringBuilder("id,at,actor,action,target,before,after\r\n");
    for (Map<String, Object> r : rows) {
      boolean first = true;
      for (Object v : r.values()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        b.append(cell(v == null ? "" : v.toString()));
      }
      b.append("\r\n");
    }
    return b.toString();
  }

  static String cell(String v) {
    String s = v;
    if (!s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0) {
      s = "'" + s;
    }
    if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0
        || s.indexOf('\r') >= 0) {
      s = '"' + s.replace("\"", "\"\"") + '"';
    }
    return s;
  }
}

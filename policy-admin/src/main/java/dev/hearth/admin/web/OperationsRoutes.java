package dev.hearth.admin.web;

import io.javalin.http.Context;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * {@code /readyz} and {@code /metrics}, answered the same way by an admin's {@code --http}
 * listener and by a fleet node's status listener, so one scrape configuration and one probe fit
 * every process of a fleet. Errors are short plain text: scrapers and probes read the status.
 */
public final class OperationsRoutes {
  private OperationsRoutes() {}

  /**
   * 200 {@code {"status":"ready"}}, or 503 with the reason while starting or stopping. Without
   * operations ({@code ops} null) it answers like {@code /healthz}.
   */
  public static void ready(Context ctx, Operations ops) {
    String why = ops == null ? null : ops.notReady();
    StringBuilder body = new StringBuilder("{\"status\":\"")
        .append(why == null ? "ready" : "not ready").append('"');
    if (why != null) {
      body.append(",\"reason\":\"").append(jsonEscape(why)).append('"');
    }
    ctx.status(why == null ? 200 : 503).contentType("application/json")
        .result(body.append('}').toString());
  }

  /** Prometheus text format; no login (scrapers rarely have one), but it can be switched off. */
  public static void metrics(Context ctx, Operations ops) {
    if (ops == null || !ops.metricsEnabled()) {
      ctx.status(404).contentType("text/plain; charset=utf-8")
          .result("metrics are off (metrics.enabled: false)\n");
      return;
    }
    InetAddress client;
    try {
      client = InetAddress.getByName(ctx.req().getRemoteAddr());
    } catch (UnknownHostException e) {
      client = null;
    }
    if (client == null || !ops.metricsAllowed(client)) {
      ctx.status(403).contentType("text/plain; charset=utf-8")
          .result("metrics are not served to this address (metrics.allow)\n");
      return;
    }
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(ops.scrape());
  }

  private static String jsonEscape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}

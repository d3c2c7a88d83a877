package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One HTTP/1.0 exchange over a plain socket, with any Host header and cookie: what a browser sent
 * to the block-page address does, which Java's HTTP client does not allow (it owns Host).
 */
final class RawHttp {
  private RawHttp() {}

  record Response(int status, String headers, String body) {}

  static Response get(int port, String host, String path) throws IOException {
    return exchange(port, "GET", host, path, null, null);
  }

  /** {@code form} (may be null) is sent urlencoded; {@code cookie} (may be null) as is. */
  static Response exchange(int port, String method, String host, String path, String cookie,
      String form) throws IOException {
    try (Socket s = new Socket(E2e.LOOPBACK, port)) {
      s.setSoTimeout(10_000);
      StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.0\r\nHost: " + host
          + "\r\nAccept-Language: en\r\nUser-Agent: hearth-e2e\r\n");
      if (cookie != null) {
        req.append("Cookie: ").append(cookie).append("\r\n");
      }
      byte[] body = form == null ? new byte[0] : form.getBytes(StandardCharsets.UTF_8);
      if (form != null) {
        req.append("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ")
            .append(body.length).append("\r\n");
      }
      req.append("\r\n");
      OutputStream out = s.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      InputStream in = s.getInputStream();
      String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int split = all.indexOf("\r\n\r\n");
      Matcher m = Pattern.compile("^HTTP/1\\.[01] (\\d{3})").matcher(all);
      assertTrue(m.find(), () -> "no status line in: " + E2e.tail(all, 500));
      return new Response(Integer.parseInt(m.group(1)), split < 0 ? all : all.substring(0, split),
          split < 0 ? "" : all.substring(split + 4));
    }
  }
}

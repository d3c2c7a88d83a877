package dev.hearth.cli;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP/1.1 request head that declares a large body and sends none of it, for tests that a
 * server refuses an oversized body on its declared length. Sending the body as well would race
 * the server's close on unread input: the client can see a reset instead of the 413 (CI,
 * 2026-11-27). A server that waits for the body instead of refusing makes the read time out.
 */
final class HeadOnlyRequest {
  private static final Pattern LENGTH = Pattern.compile("(?i)content-length: *(\\d+)");

  private HeadOnlyRequest() {}

  /** Sends {@code requestLine} (e.g. "PUT /path") with the headers; returns the whole answer. */
  static String send(int port, long declaredLength, String requestLine, String... headers)
      throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      StringBuilder head = new StringBuilder(requestLine).append(" HTTP/1.1\r\n")
          .append("Host: 127.0.0.1\r\n").append("Content-Length: ").append(declaredLength)
          .append("\r\n");
      for (String h : headers) {
        head.append(h).append("\r\n");
      }
      s.getOutputStream().write(head.append("\r\n").toString()
          .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        got.write(buf, 0, n);
        if (complete(got.toByteArray())) {
          break;
        }
      }
      return got.toString(StandardCharsets.UTF_8);
    }
  }

  /** Whether the bytes hold a head and as many body bytes as its Content-Length says. */
  private static boolean complete(byte[] response) {
    String text = new String(response, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    Matcher m = LENGTH.matcher(text.substring(0, end));
    return m.find() && response.length - (end + 4) >= Long.parseLong(m.group(1));
  }
}

package dev.hearth.cli;

import dev.hearth.admin.appeals.Appeals;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * Proof that an appellant runs the site they appeal for: a TXT record
 * {@code _hearth-challenge.<name>} or a file {@code http://<name>/.well-known/hearth-verify.txt}
 * holding the appeal's token. Names are resolved through the configured upstreams (not through
 * Hearth's own filter, which blocks the very name), and the file is fetched only from public
 * addresses, port 80, one small response, no redirects, short timeouts: the check cannot be
 * turned against the operator's own network.
 */
final class SiteProof implements Appeals.ProofChecker {
  static final String FILE = "/.well-known/hearth-verify.txt";
  private static final int MAX_BODY = 1024;
  private final Resolver resolver;
  private final boolean allowPrivate;
  private final int httpPort;

  /**
   * @param allowPrivate fetch from private and loopback addresses too (tests only)
   * @param httpPort 80, except in tests
   */
  SiteProof(List<InetSocketAddress> upstreams, boolean allowPrivate, int httpPort) {
    this(plain(upstreams), allowPrivate, httpPort);
  }

  /** Looks names up with {@code resolver} (in Hearth: its own upstreams, whatever the transport). */
  SiteProof(Resolver resolver, boolean allowPrivate, int httpPort) {
    this.resolver = resolver;
    this.allowPrivate = allowPrivate;
    this.httpPort = httpPort;
  }

  private static Resolver plain(List<InetSocketAddress> upstreams) {
    List<Resolver> rs = new ArrayList<>();
    for (InetSocketAddress u : upstreams) {
      SimpleResolver r = new SimpleResolver(u);
      r.setTimeout(Duration.ofSeconds(3));
      rs.add(r);
    }
    ExtendedResolver ext = new ExtendedResolver(rs.toArray(new Resolver[0]));
    ext.setTimeout(Duration.ofSeconds(5));
    return ext;
  }

  @Override
  public String check(String name, String expected) throws Exception {
    for (Record r : lookup("_hearth-challenge." + name, Type.TXT)) {
      for (String s : ((TXTRecord) r).getStrings()) {
        if (s.trim().equals(expected)) {
          return "dns";
        }
      }
    }
    List<InetAddress> addresses = new ArrayList<>();
    for (Record r : lookup(name, Type.A)) {
      addresses.add(((ARecord) r).getAddress());
    }
    for (Record r : lookup(name, Type.AAAA)) {
      addresses.add(((AAAARecord) r).getAddress());
    }
    for (InetAddress a : addresses) {
      if (!allowPrivate && !isPublic(a)) {
        continue;
      }
      try {
        if (fetch(a, name).contains(expected)) {
          return "file";
        }
      } catch (IOException unreachable) {
        // try the next address
      }
    }
    return null;
  }

  private List<Record> lookup(String name, int type) throws Exception {
    Lookup l = new Lookup(Name.fromString(name, Name.root), type);
    l.setResolver(resolver);
    l.setCache(null);
    Record[] out = l.run();
    return out == null ? List.of() : List.of(out);
  }

  private String fetch(InetAddress address, String host) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, httpPort), 3000);
      s.setSoTimeout(3000);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + FILE + " HTTP/1.0\r\nHost: " + host + "\r\nUser-Agent: Hearth appeal"
          + " check\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = in.readNBytes(MAX_BODY + 512);
      String all = new String(buf, StandardCharsets.UTF_8);
      if (!all.startsWith("HTTP/1.1 200") && !all.startsWith("HTTP/1.0 200")) {
        return "";
      }
      int body = all.indexOf("\r\n\r\n");
      return body < 0 ? "" : all.substring(body + 4);
    }
  }

  /** Not loopback, private, link-local, CGNAT, unique-local, multicast or unspecified. */
  static boolean isPublic(InetAddress a) {
    if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress()
        || a.isSiteLocalAddress() || a.isMulticastAddress()) {
      return false;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      return !(first == 100 && second >= 64 && second < 128) && first != 0 && first < 224;
    }
    if (a instanceof Inet6Address) {
      return (b[0] & 0xfe) != 0xfc; // fc00::/7
    }
    return false;
  }
}

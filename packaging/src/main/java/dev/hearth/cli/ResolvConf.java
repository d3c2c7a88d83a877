package dev.hearth.cli;

import dev.hearth.resolver.upstream.UpstreamSpec;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The system's resolvers from {@code resolv.conf}: the upstreams Hearth uses when neither the
 * file nor the flags name any, so a fresh install answers queries without configuration.
 * Problems here are warnings, not errors: Hearth starts with whatever it found (possibly
 * nothing, in which case it answers SERVFAIL until upstreams are configured).
 */
final class ResolvConf {
  static final Path DEFAULT_PATH = Path.of("/etc/resolv.conf");

  /** The usable servers, in file order, and a warning for each line or problem skipped. */
  record Result(List<UpstreamSpec> servers, List<String> warnings) {
    Result {
      servers = List.copyOf(servers);
      warnings = List.copyOf(warnings);
    }
  }

  private ResolvConf() {}

  static Result read(Path path) {
    List<String> lines;
    try {
      lines = Files.readAllLines(path, StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      return new Result(List.of(), List.of(path + " does not exist, so there are no system resolvers to use"));
    } catch (IOException e) {
      return new Result(List.of(), List.of("cannot read " + path + ": " + e.getMessage()));
    }
    return parse(lines, path.toString());
  }

  /** Parses the {@code nameserver} lines; {@code source} names the file in warnings. */
  static Result parse(List<String> lines, String source) {
    Set<UpstreamSpec> servers = new LinkedHashSet<>();
    List<String> warnings = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      String[] words = line.split("\\s+");
      if (!words[0].equals("nameserver")) {
        continue; // search, domain, options: not ours
      }
      String where = source + ":" + (i + 1);
      if (words.length < 2) {
        warnings.add(where + ": ignoring nameserver line without an address");
        continue;
      }
      String text = words[1];
      if (text.contains("%")) {
        warnings.add(where + ": ignoring nameserver " + text + ": addresses with a zone id are not supported");
        continue;
      }
      InetAddress address;
      try {
        address = HostPort.ipLiteral(text);
      } catch (IllegalArgumentException e) {
        warnings.add(where + ": ignoring nameserver " + text + ": " + e.getMessage());
        continue;
      }
      if (address instanceof Inet6Address && address.isLinkLocalAddress()) {
        warnings.add(where + ": ignoring nameserver " + text + ": IPv6 link-local addresses need a zone id");
        continue;
      }
      servers.add(new UpstreamSpec(new InetSocketAddress(address, 53), false));
    }
    return new Result(new ArrayList<>(servers), warnings);
  }
}

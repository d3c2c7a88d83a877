package dev.hearth.cli;

import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.DomainNames;
import dev.hearth.resolver.client.ClientOptions;
import dev.hearth.resolver.policy.PolicyDecision;
import dev.hearth.resolver.policy.PolicyEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hearth explain}: how the running configuration would decide one query, step by step:
 * who the client is (and by which rule), which profile applies, every rule considered and the
 * final answer. It uses the same {@link PolicyEngine} as the resolver, on the server's config and
 * saved list versions, so it cannot tell a different story from the resolver.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
    versionProvider = Hearth.Version.class,
    description = "Explain the decision for a client and a name: the subscriber and profile"
        + " (and how the client was identified), every rule considered, and the answer.")
final class ExplainCommand extends ListsCommand.ServerLists implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--client", paramLabel = "IP", required = true,
      description = "The client's source address.")
  String client;

  @Option(names = "--mac", paramLabel = "MAC",
      description = "The MAC address a router would add (EDNS option 65001).")
  String mac;

  @Option(names = "--cpe-id", paramLabel = "ID",
      description = "The CPE id a router would add (EDNS option 65074).")
  String cpeId;

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "A profile token from an encrypted DNS URL or host name.")
  String token;

  @Option(names = "--listener", paramLabel = "HOST:PORT",
      description = "The listen address the query arrives on (policy.listeners: its default"
          + " profile and identification rules); default none, i.e. every rule applies.")
  String listener;

  @Option(names = "--name", paramLabel = "NAME", required = true,
      description = "The domain name asked for.")
  String name;

  @Option(names = "--type", paramLabel = "TYPE", defaultValue = "A",
      description = "The query type (A, AAAA, HTTPS...; default A): it decides what a"
          + " null-address or block-page answer holds.")
  String type;

  @Option(names = "--at", paramLabel = "TIME",
      description = "When the query is asked (ISO 8601, e.g. 2026-11-26T21:30:00Z or"
          + " 2026-11-26T21:30:00+01:00); default now. Schedules use the household's time zone.")
  String at;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      InetAddress address = PolicyConfig.address(client, 0);
      java.net.InetSocketAddress on = null;
      if (listener != null) {
        try {
          on = HostPort.parseListen(listener);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("--listener: " + e.getMessage());
        }
      }
      long macValue = -1;
      if (mac != null) {
        macValue = PolicyConfig.mac(mac);
      }
      String normalized = DomainNames.normalize(name);
      int qtype = org.xbill.DNS.Type.value(type.trim().toUpperCase(java.util.Locale.ROOT));
      if (qtype < 0) {
        throw new IllegalArgumentException("--type: '" + type + "' is not a DNS record type");
      }
      List<CompiledList> lists = open(err, false).snapshot();
      PolicyEngine engine = new PolicyEngine(lists, settings.policy(), 0);
      ClientOptions options = macValue < 0 && cpeId == null ? ClientOptions.NONE
          : new ClientOptions(macValue, cpeId, null);
      java.time.Instant when = at == null ? java.time.Instant.now() : instant(at);
      PolicyDecision d = engine.explain(address, options, token, normalized, when, on);
      out.printf("query: %s %s from %s%s at %s%n", normalized, org.xbill.DNS.Type.string(qtype),
          client, listener == null ? "" : " on " + listener, when);
      for (String step : d.trace()) {
        out.println(step);
      }
      out.printf("answer: %s%n", answer(d, normalized, qtype, settings.policy()));
      out.flush();
      err.flush();
      return 0;
    } catch (ConfigException e) {
      err.println(e.getMessage());
    } catch (IOException | IllegalArgumentException e) {
      err.println("hearth: " + e.getMessage());
    }
    err.flush();
    return Hearth.EXIT_USAGE;
  }

  /** What the resolver answers for this decision and query type (PolicyStage's choices). */
  static String answer(PolicyDecision d, String name, int qtype,
      dev.hearth.resolver.policy.PolicySnapshot policy) {
    String typeName = org.xbill.DNS.Type.string(qtype);
    if (!d.block()) {
      var mode = d.profile() == null ? dev.hearth.resolver.policy.SafeSearch.Mode.OFF
          : d.profile().safeSearch();
      String target = mode == dev.hearth.resolver.policy.SafeSearch.Mode.OFF ? null
          : dev.hearth.resolver.policy.SafeSearch.defaults().target(name, mode);
      return target != null ? "CNAME " + target + " (SafeSearch " + mode.name().toLowerCase(
          java.util.Locale.ROOT) + "), then its " + typeName + " records from the upstreams"
          : "resolved normally (cache, then upstreams)";
    }
    String how;
    switch (d.blockAction()) {
      case DROP:
        return "no answer (the rule drops the query)";
      case NODATA:
        how = "NODATA";
        break;
      case LOCAL_DATA:
        how = "the rule's own " + typeName + " records (NODATA if it has none)";
        break;
      default:
        how = switch (d.profile().blockAnswer()) {
          case NODATA -> "NODATA";
          case NULL_ADDRESS -> qtype == org.xbill.DNS.Type.A ? "A 0.0.0.0"
              : qtype == org.xbill.DNS.Type.AAAA ? "AAAA ::" : "NODATA (no null " + typeName
                  + " record)";
          case BLOCK_PAGE -> blockPage(policy, qtype, typeName);
          default -> "NXDOMAIN";
        };
    }
    boolean forged = d.blockAction() != dev.hearth.blocklists.BlockAction.NODATA
        && d.blockAction() != dev.hearth.blocklists.BlockAction.LOCAL_DATA
        && d.profile().blockAnswer() == dev.hearth.resolver.policy.BlockAnswer.BLOCK_PAGE
        && (policy.blockPageV4() != null || policy.blockPageV6() != null);
    return how + ", EDE " + (forged ? "4 (forged answer)" : d.edeCode()) + ": " + d.edeText();
  }

  private static String blockPage(dev.hearth.resolver.policy.PolicySnapshot policy, int qtype,
      String typeName) {
    if (qtype == org.xbill.DNS.Type.A && policy.blockPageV4() != null) {
      return "A " + policy.blockPageV4().getHostAddress() + " (the block page)";
    }
    if (qtype == org.xbill.DNS.Type.AAAA && policy.blockPageV6() != null) {
      return "AAAA " + policy.blockPageV6().getHostAddress() + " (the block page)";
    }
    return "NODATA (the block page has no " + typeName + " address)";
  }

  private static java.time.Instant instant(String text) {
    try {
      return java.time.OffsetDateTime.parse(text.trim()).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("--at: '" + text + "' is not an ISO 8601 time with an"
          + " offset, e.g. 2026-11-26T21:30:00Z");
    }
  }
}

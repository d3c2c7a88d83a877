package dev.hearth.blocklists;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * A {@link RuleSink} that counts everything, keeps only the first {@value #MAX_PROBLEMS} problems
 * (a broken multi-megabyte file must not turn into a multi-megabyte report) and passes rules on.
 */
public final class ParseTally implements RuleSink {
  public static final int MAX_PROBLEMS = 100;
  private static final int MAX_TEXT = 200;

  private final Consumer<Rule> rules;
  private final CompiledList.Builder builder;
  private final boolean withhold;
  private final List<ListProblem> problems = new ArrayList<>();
  private int accepted;
  private int invalid;
  private int unsupported;
  private int urls;

  /** Passes rules to {@code rules}; URL entries are only counted. */
  public ParseTally(Consumer<Rule> rules) {
    this.rules = rules;
    this.builder = null;
    this.withhold = false;
  }

  /**
   * Feeds {@code builder}. With {@code withhold} (locked lists) the text of problem lines is never
   * kept: a broken line of a legal list is still an entry that must not be shown.
   */
  public ParseTally(CompiledList.Builder builder, boolean withhold) {
    this.rules = builder::add;
    this.builder = builder;
    this.withhold = withhold;
  }

  @Override
  public void rule(Rule rule) {
    accepted++;
    rules.accept(rule);
  }

  @Override
  public void block(byte[] wire, int wireLength, int labels, int line) {
    if (builder == null) {
      RuleSink.super.block(wire, wireLength, labels, line);
      return;
    }
    accepted++;
    builder.addBlock(wire, wireLength, labels, line);
  }

  @Override
  public void url(String host, String key, int line) {
    accepted++;
    urls++;
    if (builder != null) {
      builder.addUrl(host, key, line);
    }
  }

  @Override
  public void invalid(String file, int line, String reason, String text) {
    invalid++;
    if (problems.size() < MAX_PROBLEMS) {
      String t = withhold ? "(line withheld: locked list)"
          : text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) + "..." : text;
      // A reason may quote part of the entry ("owner x.example outside the zone"): withheld too.
      problems.add(new ListProblem(file, line, withhold ? "invalid entry" : reason, t));
    }
  }

  @Override
  public void unsupported(String file, int line, String text) {
    unsupported++;
  }

  public int accepted() {
    return accepted;
  }

  /** URL entries among {@link #accepted()}. */
  public int urls() {
    return urls;
  }

  public int invalid() {
    return invalid;
  }

  public int unsupported() {
    return unsupported;
  }

  public List<ListProblem> problems() {
    return Collections.unmodifiableList(problems);
  }
}

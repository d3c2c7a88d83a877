package dev.hearth.blocklists;

/** An invalid line, located so that an operator can find and fix it. */
public record ListProblem(String file, int line, String reason, String text) {
  @Override
  public String toString() {
    return file + ":" + line + ": " + reason + ": " + text;
  }
}

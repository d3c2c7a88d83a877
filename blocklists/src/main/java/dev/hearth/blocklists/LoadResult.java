package dev.hearth.blocklists;

import java.util.List;

/** A compiled list and what loading it found; counts are per entry (a hosts line may hold several). */
public record LoadResult(CompiledList list, int accepted, int invalid, int unsupported,
    List<ListProblem> problems) {
  public LoadResult {
    problems = List.copyOf(problems);
  }
}

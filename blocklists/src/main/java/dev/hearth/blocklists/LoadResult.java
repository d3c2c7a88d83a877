package dev.hearth.blocklists;

import java.util.List;

/**
 * A compiled list and what loading it found; counts are per entry (a hosts line may hold several).
 *
 * @param format the format the source was parsed as (detected when AUTO was asked for)
 * @param urls URL entries among {@code accepted}
 */
public record LoadResult(CompiledList list, Format format, int accepted, int urls, int invalid,
    int unsupported, List<ListProblem> problems) {
  public LoadResult {
    problems = List.copyOf(problems);
  }
}

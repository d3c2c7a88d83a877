package dev.hearth.cli;

import dev.hearth.admin.lists.ListOperations;
import dev.hearth.blocklists.ListCatalog;
import dev.hearth.blocklists.ListSource;
import dev.hearth.resolver.DnsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The console's list actions, run on the server's list thread (the same one that refreshes on
 * schedule: the catalog is never touched by two threads), with the result swapped into the
 * resolver as one snapshot.
 */
final class ServerListOperations implements ListOperations {
  private static final long WAIT_SECONDS = 120;

  /** How long a change of sources waits for its lists to load before answering "queued". */
  private static final long APPLY_WAIT_SECONDS = 20;

  private final ListCatalog catalog;
  private final DnsServer server;
  private final ScheduledExecutorService listThread;
  private final Path updateLog;
  private final List<ListSource> configSources;

  /**
   * @param configSources the config file's and --blocklist's sources: always in force, with the
   *     run-time ones after them
   */
  ServerListOperations(ListCatalog catalog, DnsServer server,
      ScheduledExecutorService listThread, Path dataDir, List<ListSource> configSources) {
    this.catalog = catalog;
    this.server = server;
    this.listThread = listThread;
    this.updateLog = dataDir.resolve("lists").resolve("updates.jsonl");
    this.configSources = List.copyOf(configSources);
  }

  @Override
  public List<ListCatalog.Status> status() {
    return onListThread(catalog::status);
  }

  @Override
  public boolean refreshNow() {
    return onListThread(() -> {
      boolean changed = catalog.refresh(true);
      if (changed) {
        server.policy().replace(catalog.snapshot());
      }
      return changed;
    });
  }

  @Override
  public void rollback(String id) {
    onListThread(() -> {
      try {
        catalog.rollback(id);
      } catch (IOException e) {
        throw new IllegalArgumentException("the previous version of " + id + " cannot be read: "
            + e.getMessage());
      }
      server.policy().replace(catalog.snapshot());
      return null;
    });
  }

  @Override
  public boolean applyStoredSources(List<ListSource> stored) {
    List<ListSource> all = new ArrayList<>(configSources);
    all.addAll(stored);
    java.util.concurrent.Future<?> done = listThread.submit(() -> {
      if (!catalog.fetchesHttp() && all.stream().anyMatch(ListSource::isHttp)) {
        catalog.fetchHttpWith(ServeCommand.fetcherFor(all));
      }
      try {
        if (catalog.setSources(all)) {
          server.policy().replace(catalog.snapshot());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    try {
      done.get(APPLY_WAIT_SECONDS, TimeUnit.SECONDS);
      return true;
    } catch (TimeoutException e) {
      return false; // queued: the list thread runs it when the download in progress ends
    } catch (ExecutionException e) {
      throw new IllegalStateException("the lists could not be changed: " + e.getCause()
          .getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public List<String> recentUpdates(int n) {
    if (!Files.isRegularFile(updateLog)) {
      return List.of();
    }
    ArrayDeque<String> last = new ArrayDeque<>(n);
    try (var lines = Files.lines(updateLog, StandardCharsets.UTF_8)) {
      lines.forEach(l -> {
        if (last.size() == n) {
          last.removeFirst();
        }
        last.addLast(l);
      });
    } catch (IOException | UncheckedIOException e) {
      return List.of("(the update log cannot be read: " + e.getMessage() + ")");
    }
    return new ArrayList<>(last);
  }

  private <T> T onListThread(Callable<T> work) {
    try {
      return listThread.submit(work).get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("list operation failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the list thread is busy (a large download?); try again"
          + " later");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }
}

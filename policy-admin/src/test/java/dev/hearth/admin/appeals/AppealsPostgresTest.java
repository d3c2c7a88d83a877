package dev.hearth.admin.appeals;

import dev.hearth.admin.store.AdminStore;
import dev.hearth.resolver.testing.TestPostgres;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every appeals test again on a real PostgreSQL (started once for the class, emptied before each
 * test): the fleet's shared store must behave exactly like the SQLite file.
 */
class AppealsPostgresTest extends AppealsTest {
  static TestPostgres pg;

  @BeforeAll
  static void startPostgres() throws Exception {
    pg = TestPostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    if (pg != null) {
      pg.close();
    }
  }

  @Override
  AdminStore openStore(Clock clock) throws Exception {
    pg.reset();
    return AdminStore.openPostgres(new AdminStore.PostgresLocation(pg.url(), TestPostgres.USER,
        pg.password()), clock);
  }
}

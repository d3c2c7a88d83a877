package dev.hearth.admin.appeals;

import dev.hearth.admin.store.AdminStore;
import dev.hearth.admin.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mail waiting to be sent. A change writes its mail here in its own transaction, and
 * {@link #deliver} hands it to the {@link Mailer} later, with retries: a mail server that is down
 * delays mail but never loses it or the change, and a crash between the two loses neither.
 */
public final class Outbox {
  private static final Logger log = LoggerFactory.getLogger(Outbox.class);
  static final int MAX_ATTEMPTS = 10;

  /** Sends one message (plain text, UTF-8); throws when the server refuses or is unreachable. */
  @FunctionalInterface
  public interface Mailer {
    void send(String to, String subject, String body) throws Exception;
  }

  private final AdminStore store;
  private final Mailer mailer;

  public Outbox(AdminStore store, Mailer mailer) {
    this.store = store;
    this.mailer = mailer;
  }

  /** Queues a message inside the caller's transaction. */
  static void enqueue(Connection c, String to, String subject, String body, Instant now)
      throws SQLException {
    if (to.indexOf('\r') >= 0 || to.indexOf('\n') >= 0 || subject.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("line breaks in a mail header");
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO outbox(recipient, subject, body,"
        + " created_at) VALUES (?,?,?,?)")) {
      ps.setString(1, to);
      ps.setString(2, subject);
      ps.setString(3, body);
      ps.setString(4, now.toString());
      ps.executeUpdate();
    }
  }

  private record Pending(long id, String to, String subject, String body, int attempts) {}

  /** Sends what is waiting; returns how many were sent. Failures are retried next time. */
  public int deliver() throws StoreException {
    List<Pending> pending = store.read(c -> {
      List<Pending> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id, recipient, subject, body,"
          + " attempts FROM outbox WHERE sent_at IS NULL AND attempts < ? ORDER BY id LIMIT 50")) {
        ps.setInt(1, MAX_ATTEMPTS);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Pending(rs.getLong(1), rs.getString(2), rs.getString(3),
                rs.getString(4), rs.getInt(5)));
          }
        }
      }
      return out;
    });
    int sent = 0;
    for (Pending p : pending) {
      String error = null;
      try {
        mailer.send(p.to(), p.subject(), p.body());
        sent++;
      } catch (Exception e) {
        error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        log.warn("mail to the appellant of outbox entry {} not sent (attempt {}): {}", p.id(),
            p.attempts() + 1, error);
      }
      String err = error;
      store.transaction(c -> {
        try (PreparedStatement ps = c.prepareStatement(err == null
            ? "UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?"
            : "UPDATE outbox SET last_error = ?, attempts = attempts + 1 WHERE id = ?")) {
          ps.setString(1, err == null ? store.now().toString() : err);
          ps.setLong(2, p.id());
          ps.executeUpdate();
        }
        return null;
      });
    }
    return sent;
  }

  /** Messages not sent yet (for the dashboard). */
  public int waiting() throws StoreException {
    return store.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM outbox WHERE"
          + " sent_at IS NULL"); ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    });
  }
}

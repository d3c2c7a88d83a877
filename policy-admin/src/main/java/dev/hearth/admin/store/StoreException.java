package dev.hearth.admin.store;

import java.sql.SQLException;

/**
 * The admin database could not do what was asked. The message is meant for the operator (the
 * console shows it): it says what failed and, for the usual causes (locked, full, damaged), what
 * to do. Nothing was changed when this is thrown from a transaction.
 */
public final class StoreException extends Exception {
  private static final long serialVersionUID = 1L;

  public StoreException(String message) {
    super(message);
  }

  /** Wraps a driver error with a plain reason for SQLite's common failure codes. */
  public static StoreException of(String what, SQLException e) {
    String msg = e.getMessage() == null ? "" : e.getMessage();
    String reason;
    if (msg.contains("SQLITE_BUSY") || msg.contains("SQLITE_LOCKED")) {
      reason = "the database is locked by another process; try again";
    } else if (msg.contains("SQLITE_FULL")) {
      reason = "the disk is full";
    } else if (msg.contains("SQLITE_CORRUPT") || msg.contains("SQLITE_NOTADB")) {
      reason = "the database file is damaged; restore a backup (hearth admin restore FILE)";
    } else if (msg.contains("SQLITE_READONLY") || msg.contains("SQLITE_CANTOPEN")
        || msg.contains("SQLITE_PERM")) {
      reason = "the database file cannot be written; check its owner and permissions";
    } else {
      reason = msg;
    }
    StoreException out = new StoreException(what + ": " + reason);
    out.initCause(e);
    return out;
  }
}

package dev.hearth.blocklists;

/**
 * A list download that produced nothing usable: the caller keeps serving its previous copy. The
 * message is meant for operators as it is (it starts with the URL, credentials removed, and says
 * what went wrong: {@code "https://x/list.txt: HTTP 500"}); {@link #reason()} lets callers tell a
 * transient failure from one that deserves an alarm (a failed {@link Reason#INTEGRITY} check means
 * the list source or the path to it may have been tampered with).
 */
public final class FetchException extends Exception {
  /** Why a fetch failed. */
  public enum Reason {
    /** The URL, pin or validators cannot be used (e.g. a {@code file:} or {@code ftp:} URL). */
    INVALID_REQUEST,
    /** The server answered with a status other than 200 (or 304 to a conditional request). */
    HTTP_STATUS,
    /** Connecting, the response headers or the whole body took longer than allowed. */
    TIMEOUT,
    /** The body (on the wire or decompressed) exceeded the size limit. */
    TOO_LARGE,
    /** The SHA-256 pin or the signature does not match the body. */
    INTEGRITY,
    /** A network, TLS or protocol failure, or the body reader failed with an I/O error. */
    IO
  }

  private final Reason reason;
  private final int httpStatus;

  public FetchException(Reason reason, String message, Throwable cause) {
    this(reason, message, 0, cause);
  }

  public FetchException(Reason reason, String message, int httpStatus, Throwable cause) {
    super(message, cause);
    this.reason = java.util.Objects.requireNonNull(reason, "reason");
    this.httpStatus = httpStatus;
  }

  public Reason reason() {
    return reason;
  }

  /** The HTTP status for {@link Reason#HTTP_STATUS}, otherwise 0. */
  public int httpStatus() {
    return httpStatus;
  }
}

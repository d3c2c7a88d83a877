package dev.hearth.admin.appeals;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One appeal against a block, as stored: what was asked, by whom (a role and an e-mail address
 * that only the mail outbox reads), where it stands and what was decided.
 */
public record Appeal(String ticket, String name, String url, String reasonId, Role role,
    String email, String message, String suggestedCategory, State state, Outcome outcome,
    String outcomeCategory, String decisionNote, String referredTo, String mergedInto,
    int priority, String reviewer, Instant createdAt, Instant confirmedAt,
    Instant acknowledgedAt, Instant decidedAt, Instant closedAt, Instant acknowledgeDue,
    Instant decideDue) {

  /** Who is appealing. */
  public enum Role {
    WEBMASTER, USER, PARENT, OTHER;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Role parse(String s) {
      for (Role r : values()) {
        if (r.id().equals(s)) {
          return r;
        }
      }
      throw new AppealException("role", "choose webmaster, user, parent or other");
    }
  }

  /**
   * Where an appeal stands. RECEIVED until the e-mail address is confirmed (only then is it in
   * the queue), CONFIRMED in the queue, IN_REVIEW once a reviewer took it, then DECIDED or
   * REFERRED (to the IWF or a list's maintainer), and CLOSED.
   */
  public enum State {
    RECEIVED, CONFIRMED, IN_REVIEW, DECIDED, REFERRED, CLOSED;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    static State parse(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT));
    }

    /** Still waiting for a decision. */
    public boolean open() {
      return this == CONFIRMED || this == IN_REVIEW;
    }
  }

  /**
   * A decision: UNBLOCKED and RECATEGORISED uphold the appeal (an override is put in force),
   * BLOCK_KEPT rejects it.
   */
  public enum Outcome {
    UNBLOCKED, RECATEGORISED, BLOCK_KEPT;

    public String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public boolean upheld() {
      return this != BLOCK_KEPT;
    }

    static Outcome parse(String s) {
      for (Outcome o : values()) {
        if (o.id().equals(s)) {
          return o;
        }
      }
      throw new AppealException("outcome", "choose unblocked, recategorised or block-kept");
    }
  }

  /** One entry of an appeal's timeline. */
  public record Event(Instant at, String actor, String kind, String text) {}

  /** An appeal with its timeline. */
  public record WithEvents(Appeal appeal, List<Event> events) {}

  /** Whether the decision deadline has passed without a decision. */
  public boolean overdue(Instant now) {
    return state.open() && decideDue != null && now.isAfter(decideDue);
  }

  /** Whether nobody took it into review by the acknowledgement deadline. */
  public boolean acknowledgeOverdue(Instant now) {
    return state == State.CONFIRMED && acknowledgeDue != null && now.isAfter(acknowledgeDue);
  }
}

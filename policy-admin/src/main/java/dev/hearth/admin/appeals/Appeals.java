package dev.hearth.admin.appeals;

import dev.hearth.admin.auth.Principal;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.admin.store.AdminStore;
import dev.hearth.admin.store.StoreException;
import dev.hearth.blocklists.DomainNames;
import dev.hearth.resolver.policy.AppealOverride;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Appeals against blocks, from the public form to a decision: anyone files one (rate-limited,
 * size-limited, with a honeypot field for bots); with mail configured, it enters the queue only
 * once its e-mail address is confirmed; a duplicate for a name already in the queue is merged
 * into the first; reviewers take, decide or refer it within the published deadlines; a reviewer
 * may not decide on an entry they added; an upheld appeal puts an override in force at once.
 * Every step is recorded on the appeal's timeline, in the audit log when staff act, and in the
 * mail outbox in the same transaction, so nothing acknowledged is lost.
 */
public final class Appeals {
  /** Most filings for one name per day. */
  static final int PER_NAME_PER_DAY = 20;
  static final int MAX_MESSAGE = 4000;
  static final int MAX_URL = 2000;
  private static final Pattern EMAIL =
      Pattern.compile("[^@\\s<>\"(),;:\\\\]{1,64}@[A-Za-z0-9.-]{1,253}\\.[A-Za-z]{2,63}");
  private static final Pattern CATEGORY = Pattern.compile("[a-z0-9_-]{1,64}");
  private static final Pattern TICKET = Pattern.compile("HA-[0-9A-HJKMNP-TV-Z]{10}");
  private static final char[] TICKET_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String COLUMNS = "ticket, name, url, reason_id, role, email, message,"
      + " suggested_category, state, outcome, outcome_category, decision_note, referred_to,"
      + " merged_into, priority, reviewer, created_at, confirmed_at, acknowledged_at,"
      + " decided_at, closed_at, acknowledge_due, decide_due";

  /**
   * @param acknowledgeWithin a confirmed appeal is taken into review within this
   * @param decideWithin ... and decided within this
   * @param keepClosed a closed appeal's e-mail address is deleted after this
   * @param mailConfirms whether mail can be sent (else appeals enter the queue unconfirmed)
   * @param publicUrl the public pages' address for links in mails, e.g. https://filter.example
   * @param operator who runs the service, for mails
   * @param perAddressPerHour most filings (and proof checks) from one address per hour
   */
  public record Settings(Duration acknowledgeWithin, Duration decideWithin, Duration keepClosed,
      boolean mailConfirms, String publicUrl, String operator, int perAddressPerHour) {}

  /** What the public form sends. {@code website} is the honeypot: people leave it empty. */
  public record Submission(String nameOrUrl, String reasonId, String role, String email,
      String message, String suggestedCategory, String website) {}

  /**
   * @param ticket the new appeal's ticket (also given for a dropped bot submission, which is
   *     indistinguishable to the sender)
   * @param needsConfirmation whether a confirmation mail was sent
   */
  public record Filed(String ticket, boolean needsConfirmation) {}

  /** The transparency report's appeal figures (merged duplicates not counted twice). */
  public record Stats(int received, int upheld, int rejected, int referred, int open,
      int overdue, Duration medianToDecision, double decidedWithinDeadline) {}

  private final AdminStore store;
  private final PolicyService policy;
  private final Settings settings;
  private final Clock clock;
  /**
   * Checks that whoever filed an appeal controls the site: a DNS TXT record
   * {@code _hearth-challenge.<name>} or a file {@code http://<name>/.well-known/hearth-verify.txt}
   * holding {@code expected}. Returns how it was proven ("dns", "file"), or null.
   */
  @FunctionalInterface
  public interface ProofChecker {
    String check(String name, String expected) throws Exception;
  }

  private volatile ProofChecker proofs;
  private final Map<String, Deque<Instant>> recentByAddress = new LinkedHashMap<>(16, 0.75f,
      true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Deque<Instant>> e) {
      return size() > 10_000;
    }
  };

  public Appeals(AdminStore store, PolicyService policy, Settings settings, Clock clock) {
    this.store = store;
    this.policy = policy;
    this.settings = settings;
    this.clock = clock;
  }

  public Settings settings() {
    return settings;
  }

  // --- filing ---

  /**
   * Files an appeal. Throws {@link AppealException} naming the field at fault (nothing stored),
   * or with status 429 when this address or this name sent too many.
   */
  public Filed file(Submission s, String clientAddress) throws StoreException {
    String raw = trim(s.nameOrUrl());
    if (raw.isEmpty()) {
      throw new AppealException("name", "give the blocked site's name or address");
    }
    if (raw.length() > MAX_URL) {
      throw new AppealException("name", "the address is longer than " + MAX_URL
          + " characters");
    }
    String name;
    try {
      name = DomainNames.normalize(DomainNames.hostOf(raw));
    } catch (IllegalArgumentException e) {
      throw new AppealException("name", "'" + raw + "' is not a site name or web address: "
          + e.getMessage());
    }
    String url = raw.contains("/") ? raw : null;
    Appeal.Role role = Appeal.Role.parse(trim(s.role()));
    String email = trim(s.email());
    if (email.length() > 254 || !EMAIL.matcher(email).matches()) {
      throw new AppealException("email", "give an e-mail address such as name@example.org");
    }
    String message = s.message() == null ? "" : s.message().strip();
    if (message.isEmpty()) {
      throw new AppealException("message", "say why the block is wrong");
    }
    if (message.length() > MAX_MESSAGE) {
      throw new AppealException("message", "the reason is longer than " + MAX_MESSAGE
          + " characters");
    }
    String category = trim(s.suggestedCategory());
    if (!category.isEmpty() && !CATEGORY.matcher(category).matches()) {
      throw new AppealException("category", "a category is lower-case letters, digits, '_'"
          + " and '-'");
    }
    String reason = trim(s.reasonId());
    if (reason.length() > 300 || reason.chars().anyMatch(ch -> ch < 0x21 || ch > 0x7e)) {
      reason = "";
    }
    Instant now = clock.instant();
    limitAddress(clientAddress, now);
    String ticket = newTicket();
    if (s.website() != null && !s.website().isEmpty()) {
      return new Filed(ticket, settings.mailConfirms()); // a bot: looks filed, is not
    }
    String token = settings.mailConfirms() ? randomToken() : null;
    String storedReason = reason.isEmpty() ? null : reason;
    String storedCategory = category.isEmpty() ? null : category;
    store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM appeals WHERE"
          + " name = ? AND created_at > ?")) {
        ps.setString(1, name);
        ps.setString(2, now.minus(Duration.ofDays(1)).toString());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next() && rs.getInt(1) >= PER_NAME_PER_DAY) {
            throw new AppealException(429, "name", "this name has had many appeals today;"
                + " the first ones are being reviewed");
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO appeals(ticket, name, url,"
          + " reason_id, role, email, message, suggested_category, state, confirm_hash,"
          + " created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
        ps.setString(1, ticket);
        ps.setString(2, name);
        ps.setString(3, url);
        ps.setString(4, storedReason);
        ps.setString(5, role.id());
        ps.setString(6, email);
        ps.setString(7, message);
        ps.setString(8, storedCategory);
        ps.setString(9, Appeal.State.RECEIVED.id());
        ps.setString(10, token == null ? null : sha256(token));
        ps.setString(11, now.toString());
        ps.executeUpdate();
      }
      event(c, ticket, now, "appellant", "received", null);
      if (token != null) {
        mail(c, email, "Confirm your appeal " + ticket,
            "You (or someone using this address) reported that " + name + " is wrongly blocked"
                + " by " + settings.operator() + ".\n\nTo put the appeal in the review queue,"
                + " open this link within 7 days:\n" + link("/appeal/confirm?token=" + token)
                + "\n\nIf you did not send it, ignore this message; nothing else happens.\n",
            now);
      } else {
        confirm(c, ticket, now);
      }
      return null;
    });
    return new Filed(ticket, token != null);
  }

  private synchronized void limitAddress(String address, Instant now) {
    if (address == null) {
      return;
    }
    Deque<Instant> q = recentByAddress.computeIfAbsent(address, a -> new ArrayDeque<>());
    while (!q.isEmpty() && q.peekFirst().isBefore(now.minus(Duration.ofHours(1)))) {
      q.pollFirst();
    }
    if (q.size() >= settings.perAddressPerHour()) {
      throw new AppealException(429, null, "too many appeals from this address in the last"
          + " hour; please try again later");
    }
    q.addLast(now);
  }

  /**
   * Confirms the e-mail address behind {@code token}: the appeal enters the queue (or is merged
   * into an open one for the same name). Returns its ticket.
   */
  public String confirmByToken(String token) throws StoreException {
    if (token == null || token.length() < 20 || token.length() > 100) {
      throw new AppealException(404, "token", "this confirmation link is not valid");
    }
    String hash = sha256(token);
    Instant now = clock.instant();
    return store.transaction(c -> {
      String ticket;
      String state;
      Instant created;
      try (PreparedStatement ps = c.prepareStatement("SELECT ticket, state, created_at FROM"
          + " appeals WHERE confirm_hash = ?")) {
        ps.setString(1, hash);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new AppealException(404, "token", "this confirmation link is not valid or"
                + " was already used");
          }
          ticket = rs.getString(1);
          state = rs.getString(2);
          created = Instant.parse(rs.getString(3));
        }
      }
      if (!Appeal.State.RECEIVED.id().equals(state)) {
        return ticket;
      }
      if (created.plus(Duration.ofDays(7)).isBefore(now)) {
        throw new AppealException(410, "token", "this confirmation link expired; please file"
            + " the appeal again");
      }
      confirm(c, ticket, now);
      return ticket;
    });
  }

  private void confirm(Connection c, String ticket, Instant now) throws SQLException {
    Appeal a = load(c, ticket);
    String primary = null;
    try (PreparedStatement ps = c.prepareStatement("SELECT ticket FROM appeals WHERE name = ?"
        + " AND state IN ('confirmed', 'in_review') AND merged_into IS NULL AND ticket <> ?"
        + " ORDER BY confirmed_at LIMIT 1")) {
      ps.setString(1, a.name());
      ps.setString(2, ticket);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          primary = rs.getString(1);
        }
      }
    }
    Instant ackDue = now.plus(settings.acknowledgeWithin());
    Instant decideDue = now.plus(settings.decideWithin());
    boolean legal = a.reasonId() != null && a.reasonId().startsWith("locked-list:");
    try (PreparedStatement ps = c.prepareStatement("UPDATE appeals SET state = ?,"
        + " confirm_hash = NULL, confirmed_at = ?, acknowledge_due = ?, decide_due = ?,"
        + " merged_into = ?, referred_to = ? WHERE ticket = ?")) {
      ps.setString(1, legal ? Appeal.State.REFERRED.id() : Appeal.State.CONFIRMED.id());
      ps.setString(2, now.toString());
      ps.setString(3, ackDue.toString());
      ps.setString(4, decideDue.toString());
      ps.setString(5, primary);
      ps.setString(6, legal ? "iwf" : null);
      ps.setString(7, ticket);
      ps.executeUpdate();
    }
    if (legal) {
      event(c, ticket, now, "system", "referred", "legal list: referred to the Internet Watch"
          + " Foundation (complaints@iwf.org.uk)");
      mail(c, a.email(), "Your appeal " + ticket + " is for the Internet Watch Foundation",
          "The block you reported comes from a legal list that " + settings.operator()
              + " cannot change. Please send your appeal, with the address, your internet"
              + " provider and the date and time, to the Internet Watch Foundation:"
              + " complaints@iwf.org.uk.\n\nStatus: " + link("/appeal/" + ticket) + "\n", now);
      return;
    }
    event(c, ticket, now, "appellant", "confirmed", primary == null ? null
        : "merged with " + primary + ", an appeal for the same name");
    mail(c, a.email(), "Your appeal " + ticket + " is in the queue",
        "Thank you. Your appeal about " + a.name() + " is in the review queue"
            + (primary == null ? "" : " (together with an earlier appeal for the same name, "
                + primary + ")")
            + ". We decide within " + settings.decideWithin().toHours() + " hours, by "
            + decideDue + ".\n\nStatus: " + link("/appeal/" + ticket) + "\n", now);
  }

  // --- proof of control ---

  /** Turns on "prove you run this site" (off without a checker). */
  public void useProofChecker(ProofChecker checker) {
    this.proofs = checker;
  }

  public boolean proofEnabled() {
    return proofs != null;
  }

  /**
   * What the appellant publishes to prove they run the site: derived from the ticket, which
   * only they hold, so nothing more needs storing.
   */
  public static String proofToken(String ticket) {
    return "hearth-verify=" + sha256("hearth-appeal-proof:" + ticket).substring(0, 32);
  }

  /**
   * Checks the proof for an open appeal now; when it holds, the appeal moves ahead of unproven
   * ones in the queue. Returns how it was proven, or null (nothing changes). Rate-limited like
   * filing, since each check queries the site.
   */
  public String prove(String ticket, String clientAddress) throws StoreException {
    ProofChecker checker = proofs;
    if (checker == null) {
      throw new AppealException(404, null, "proof of control is not offered here");
    }
    Appeal a = store.read(c -> require(c, ticket));
    if (!a.state().open()) {
      throw new AppealException(409, null, "appeal " + ticket + " is " + a.state().id());
    }
    if (a.priority() > 0) {
      return "already";
    }
    limitAddress(clientAddress, clock.instant());
    String how;
    try {
      how = checker.check(a.name(), proofToken(ticket));
    } catch (Exception e) {
      how = null;
    }
    if (how == null) {
      return null;
    }
    String method = how;
    Instant now = clock.instant();
    store.transaction(c -> {
      update(c, ticket, "priority = 1");
      event(c, ticket, now, "appellant", "proven", method);
      return null;
    });
    return method;
  }

  // --- reading ---

  /** One appeal with its timeline, or null. Throws for a malformed ticket. */
  public Appeal.WithEvents find(String ticket) throws StoreException {
    if (ticket == null || !TICKET.matcher(ticket).matches()) {
      throw new AppealException(404, "ticket", "no appeal has this ticket");
    }
    return store.read(c -> {
      Appeal a = load(c, ticket);
      if (a == null) {
        return null;
      }
      List<Appeal.Event> events = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT at, actor, kind, text FROM"
          + " appeal_events WHERE ticket = ? ORDER BY id")) {
        ps.setString(1, ticket);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            events.add(new Appeal.Event(Instant.parse(rs.getString(1)), rs.getString(2),
                rs.getString(3), rs.getString(4)));
          }
        }
      }
      return new Appeal.WithEvents(a, events);
    });
  }

  /**
   * The reviewers' queue: appeals waiting for a decision, those proven by their site's owner
   * first, then by deadline; merged duplicates are shown with their primary.
   */
  public List<Appeal> queue() throws StoreException {
    return store.read(c -> select(c, "WHERE state IN ('confirmed', 'in_review') AND merged_into"
        + " IS NULL ORDER BY priority DESC, decide_due, ticket", List.of()));
  }

  /** The latest appeals in any state, newest first (for the console's list). */
  public List<Appeal> recent(int n) throws StoreException {
    return store.read(c -> select(c, "ORDER BY created_at DESC LIMIT ?", List.of(n)));
  }

  // --- staff actions ---

  /** A reviewer takes a confirmed appeal into review (its acknowledgement). */
  public void take(Principal reviewer, String ticket) throws StoreException {
    Instant now = clock.instant();
    store.transaction(c -> {
      Appeal a = require(c, ticket);
      if (a.state() != Appeal.State.CONFIRMED) {
        throw new AppealException(409, null, "appeal " + ticket + " is " + a.state().id()
            + ", not waiting to be taken");
      }
      update(c, ticket, "state = 'in_review', reviewer = ?, acknowledged_at = ?",
          reviewer.name(), now.toString());
      event(c, ticket, now, reviewer.name(), "in_review", null);
      store.audit(c, reviewer.name(), "appeal.take", "appeal:" + ticket, "confirmed",
          "in_review");
      notifyAll(c, a, "Your appeal " + ticket + " is being reviewed",
          "A reviewer is now looking at your appeal about " + a.name() + ". Status: "
              + link("/appeal/" + ticket) + "\n", now);
      return null;
    });
  }

  /**
   * Decides an appeal. Unblocked or recategorised puts an override in force for every client
   * at once; block-kept rejects it. A reviewer who added the entry in question may not decide.
   */
  public void decide(Principal reviewer, String ticket, String outcomeText, String category,
      boolean subdomains, String note) throws StoreException {
    Appeal.Outcome outcome = Appeal.Outcome.parse(trim(outcomeText));
    String cat = trim(category);
    if (outcome == Appeal.Outcome.RECATEGORISED && !CATEGORY.matcher(cat).matches()) {
      throw new AppealException("category", "name the category the site belongs to");
    }
    String why = note == null ? "" : note.strip();
    if (why.isEmpty()) {
      throw new AppealException("note", "say why (the appellant reads it)");
    }
    if (why.length() > MAX_MESSAGE) {
      throw new AppealException("note", "the note is longer than " + MAX_MESSAGE
          + " characters");
    }
    Instant now = clock.instant();
    Appeal a = store.read(c -> require(c, ticket));
    if (!a.state().open()) {
      throw new AppealException(409, null, "appeal " + ticket + " is " + a.state().id()
          + "; only a confirmed or in-review appeal can be decided");
    }
    if (store.read(c -> addedBy(c, reviewer.name(), a))) {
      throw new AppealException(403, null, "you added the entry this appeal is about, so"
          + " another reviewer must decide it");
    }
    AdminStore.Work<Void> record = c -> {
      // Checked again inside the transaction: two reviewers deciding at once must not both win.
      if (!require(c, ticket).state().open()) {
        throw new AppealException(409, null, "appeal " + ticket + " was decided meanwhile");
      }
      update(c, ticket, "state = 'decided', outcome = ?, outcome_category = ?,"
          + " decision_note = ?, reviewer = ?, decided_at = ?, acknowledged_at ="
          + " coalesce(acknowledged_at, ?)", outcome.id(),
          outcome == Appeal.Outcome.RECATEGORISED ? cat : null, why, reviewer.name(),
          now.toString(), now.toString());
      for (String t : merged(c, ticket)) {
        update(c, t, "state = 'decided', outcome = ?, outcome_category = ?, decision_note = ?,"
            + " reviewer = ?, decided_at = ?", outcome.id(),
            outcome == Appeal.Outcome.RECATEGORISED ? cat : null, why, reviewer.name(),
            now.toString());
        event(c, t, now, reviewer.name(), "decided", outcome.id() + ": " + why);
      }
      event(c, ticket, now, reviewer.name(), "decided", outcome.id() + ": " + why);
      store.audit(c, reviewer.name(), "appeal.decide", "appeal:" + ticket, a.state().id(),
          outcome.id() + (outcome == Appeal.Outcome.RECATEGORISED ? " as " + cat : ""));
      String result = switch (outcome) {
        case UNBLOCKED -> a.name() + " is no longer blocked (it may take a minute for devices"
            + " to notice).";
        case RECATEGORISED -> a.name() + " now counts as '" + cat + "' and is blocked only"
            + " where that category is chosen.";
        case BLOCK_KEPT -> "the block of " + a.name() + " stays.";
      };
      notifyAll(c, a, "Decision on your appeal " + ticket, "Decision: " + result + "\n\nWhy: "
          + why + "\n\nIf you are not satisfied, add a follow-up on the status page: "
          + link("/appeal/" + ticket) + "\n", now);
      return null;
    };
    if (outcome.upheld()) {
      policy.putAppealOverride(reviewer, new AppealOverride(a.name(), subdomains,
          outcome == Appeal.Outcome.RECATEGORISED ? cat : null, ticket), record);
    } else {
      store.transaction(c -> record.run(c));
    }
  }

  /** Refers an appeal to who can decide it: the IWF (legal lists) or a list's maintainer. */
  public void refer(Principal reviewer, String ticket, String to, String note)
      throws StoreException {
    String target = trim(to);
    if (target.isEmpty() || target.length() > 200) {
      throw new AppealException("to", "say who it is referred to and how to reach them");
    }
    String why = note == null ? "" : note.strip();
    Instant now = clock.instant();
    store.transaction(c -> {
      Appeal a = require(c, ticket);
      if (!a.state().open()) {
        throw new AppealException(409, null, "appeal " + ticket + " is " + a.state().id()
            + "; only a confirmed or in-review appeal can be referred");
      }
      update(c, ticket, "state = 'referred', referred_to = ?, decision_note = ?, reviewer = ?,"
          + " decided_at = ?", target, why, reviewer.name(), now.toString());
      for (String t : merged(c, ticket)) {
        update(c, t, "state = 'referred', referred_to = ?, decided_at = ?", target,
            now.toString());
      }
      event(c, ticket, now, reviewer.name(), "referred", target + (why.isEmpty() ? ""
          : ": " + why));
      store.audit(c, reviewer.name(), "appeal.refer", "appeal:" + ticket, a.state().id(),
          "referred to " + target);
      notifyAll(c, a, "Your appeal " + ticket + " was referred",
          "The block of " + a.name() + " comes from a list " + settings.operator()
              + " does not maintain. Your appeal was referred to: " + target + "."
              + (why.isEmpty() ? "" : "\n\n" + why) + "\n\nStatus: "
              + link("/appeal/" + ticket) + "\n", now);
      return null;
    });
  }

  /** Closes an appeal (decided, referred, or abandoned). */
  public void close(Principal actor, String ticket, String note) throws StoreException {
    Instant now = clock.instant();
    store.transaction(c -> {
      Appeal a = require(c, ticket);
      if (a.state() == Appeal.State.CLOSED) {
        return null;
      }
      update(c, ticket, "state = 'closed', closed_at = ?", now.toString());
      event(c, ticket, now, actor.name(), "closed", note == null || note.isBlank() ? null
          : note.strip());
      store.audit(c, actor.name(), "appeal.close", "appeal:" + ticket, a.state().id(),
          "closed");
      if (a.state() != Appeal.State.RECEIVED) {
        notifyAll(c, a, "Your appeal " + ticket + " is closed", "Your appeal about "
            + a.name() + " is closed. Its history stays on the status page: "
            + link("/appeal/" + ticket) + "\n\nIf something is still wrong, you can file a new"
            + " appeal.\n", now);
      }
      return null;
    });
  }

  /**
   * The appellant adds to their appeal (anyone with the ticket: it is unguessable and only
   * given to them). On a decided or referred appeal this reopens it for another look, with a
   * new deadline.
   */
  public void followUp(String ticket, String text, String clientAddress) throws StoreException {
    String t = text == null ? "" : text.strip();
    if (t.isEmpty()) {
      throw new AppealException("text", "write what you want to add");
    }
    if (t.length() > MAX_MESSAGE) {
      throw new AppealException("text", "the follow-up is longer than " + MAX_MESSAGE
          + " characters");
    }
    Instant now = clock.instant();
    limitAddress(clientAddress, now);
    store.transaction(c -> {
      Appeal a = require(c, ticket);
      if (a.state() == Appeal.State.RECEIVED) {
        throw new AppealException(409, "text", "confirm the appeal with the link in the"
            + " e-mail first");
      }
      if (a.state() == Appeal.State.CLOSED) {
        throw new AppealException(409, "text", "this appeal is closed; file a new one");
      }
      event(c, ticket, now, "appellant", "follow-up", t);
      if (a.state() == Appeal.State.DECIDED || a.state() == Appeal.State.REFERRED) {
        update(c, ticket, "state = 'confirmed', merged_into = NULL, decide_due = ?,"
            + " acknowledge_due = ?", now.plus(settings.decideWithin()).toString(),
            now.plus(settings.acknowledgeWithin()).toString());
        event(c, ticket, now, "system", "reopened", null);
      }
      return null;
    });
  }

  /** Deletes e-mail addresses of appeals closed longer than the retention period ago. */
  public int forgetClosed() throws StoreException {
    Instant cutoff = clock.instant().minus(settings.keepClosed());
    return store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE appeals SET email = NULL WHERE"
          + " email IS NOT NULL AND closed_at IS NOT NULL AND closed_at < ?")) {
        ps.setString(1, cutoff.toString());
        return ps.executeUpdate();
      }
    });
  }

  // --- transparency ---

  public Stats stats() throws StoreException {
    Instant now = clock.instant();
    return store.read(c -> {
      int received = 0;
      int upheld = 0;
      int rejected = 0;
      int referred = 0;
      int open = 0;
      int overdue = 0;
      int decided = 0;
      int inTime = 0;
      List<Long> seconds = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT state, outcome, confirmed_at,"
          + " decided_at, decide_due FROM appeals WHERE confirmed_at IS NOT NULL AND"
          + " merged_into IS NULL"); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          received++;
          String state = rs.getString(1);
          String outcome = rs.getString(2);
          Instant confirmed = Instant.parse(rs.getString(3));
          Instant decidedAt = rs.getString(4) == null ? null : Instant.parse(rs.getString(4));
          Instant due = rs.getString(5) == null ? null : Instant.parse(rs.getString(5));
          if ("referred".equals(state)) {
            referred++;
          }
          if (outcome != null) {
            if (Appeal.Outcome.BLOCK_KEPT.id().equals(outcome)) {
              rejected++;
            } else {
              upheld++;
            }
          }
          if (state.equals("confirmed") || state.equals("in_review")) {
            open++;
            if (due != null && now.isAfter(due)) {
              overdue++;
            }
          }
          if (decidedAt != null) {
            decided++;
            seconds.add(Duration.between(confirmed, decidedAt).getSeconds());
            if (due == null || !decidedAt.isAfter(due)) {
              inTime++;
            }
          }
        }
      }
      seconds.sort(null);
      Duration median = seconds.isEmpty() ? null : Duration.ofSeconds(seconds.size() % 2 == 1
          ? seconds.get(seconds.size() / 2)
          : (seconds.get(seconds.size() / 2 - 1) + seconds.get(seconds.size() / 2)) / 2);
      return new Stats(received, upheld, rejected, referred, open, overdue, median,
          decided == 0 ? 1.0 : (double) inTime / decided);
    });
  }

  // --- plumbing ---

  private Appeal require(Connection c, String ticket) throws SQLException {
    if (ticket == null || !TICKET.matcher(ticket).matches()) {
      throw new AppealException(404, "ticket", "no appeal has the ticket '" + ticket + "'");
    }
    Appeal a = load(c, ticket);
    if (a == null) {
      throw new AppealException(404, "ticket", "no appeal has the ticket '" + ticket + "'");
    }
    return a;
  }

  private static Appeal load(Connection c, String ticket) throws SQLException {
    List<Appeal> l = select(c, "WHERE ticket = ?", List.of(ticket));
    return l.isEmpty() ? null : l.get(0);
  }

  private static List<Appeal> select(Connection c, String where, List<Object> args)
      throws SQLException {
    List<Appeal> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM appeals "
        + where)) {
      for (int i = 0; i < args.size(); i++) {
        ps.setObject(i + 1, args.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Appeal(rs.getString(1), rs.getString(2), rs.getString(3),
              rs.getString(4), Appeal.Role.parse(rs.getString(5)), rs.getString(6),
              rs.getString(7), rs.getString(8), Appeal.State.parse(rs.getString(9)),
              rs.getString(10) == null ? null : Appeal.Outcome.parse(rs.getString(10)),
              rs.getString(11), rs.getString(12), rs.getString(13), rs.getString(14),
              rs.getInt(15), rs.getString(16), instant(rs.getString(17)),
              instant(rs.getString(18)), instant(rs.getString(19)), instant(rs.getString(20)),
              instant(rs.getString(21)), instant(rs.getString(22)),
              instant(rs.getString(23))));
        }
      }
    }
    return out;
  }

  private static Instant instant(String s) {
    return s == null ? null : Instant.parse(s);
  }

  private static List<String> merged(Connection c, String primary) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT ticket FROM appeals WHERE"
        + " merged_into = ? AND state IN ('confirmed', 'in_review')")) {
      ps.setString(1, primary);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private static void update(Connection c, String ticket, String set, Object... args)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE appeals SET " + set
        + " WHERE ticket = ?")) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      ps.setString(args.length + 1, ticket);
      ps.executeUpdate();
    }
  }

  private static void event(Connection c, String ticket, Instant at, String actor, String kind,
      String text) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO appeal_events(ticket, at, actor,"
        + " kind, text) VALUES (?,?,?,?,?)")) {
      ps.setString(1, ticket);
      ps.setString(2, at.toString());
      ps.setString(3, actor);
      ps.setString(4, kind);
      ps.setString(5, text);
      ps.executeUpdate();
    }
  }

  /** Mails the appellant and everyone whose appeal was merged into this one. */
  private void notifyAll(Connection c, Appeal a, String subject, String body, Instant now)
      throws SQLException {
    mail(c, a.email(), subject, body, now);
    try (PreparedStatement ps = c.prepareStatement("SELECT email, ticket FROM appeals WHERE"
        + " merged_into = ?")) {
      ps.setString(1, a.ticket());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          mail(c, rs.getString(1), subject.replace(a.ticket(), rs.getString(2)),
              body.replace("/appeal/" + a.ticket(), "/appeal/" + rs.getString(2)), now);
        }
      }
    }
  }

  private void mail(Connection c, String to, String subject, String body, Instant now)
      throws SQLException {
    if (!settings.mailConfirms() || to == null) {
      return;
    }
    Outbox.enqueue(c, to, subject, body + "\n-- \n" + settings.operator() + ", via Hearth\n",
        now);
  }

  /**
   * Whether {@code reviewer} added the entry this appeal is about: a stored change of theirs
   * that names the domain, or that changed the list its reason id names.
   */
  private boolean addedBy(Connection c, String reviewer, Appeal a) throws SQLException {
    String list = null;
    if (a.reasonId() != null) {
      String rest = a.reasonId().substring(a.reasonId().indexOf(':') + 1);
      int cut = rest.length();
      for (char ch : new char[] {'@', '#'}) {
        int i = rest.indexOf(ch);
        if (i >= 0) {
          cut = Math.min(cut, i);
        }
      }
      list = rest.substring(0, cut);
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM audit_log WHERE actor = ?"
        + " AND action NOT LIKE 'appeal%' AND (" + store.dialect().contains(
            "coalesce(after, '')", "?") + " OR target = ?"
        + " OR target = ?) LIMIT 1")) {
      ps.setString(1, reviewer);
      ps.setString(2, "\"" + a.name() + "\"");
      ps.setString(3, "list:" + list);
      ps.setString(4, "list-source:" + list);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private String link(String path) {
    String base = settings.publicUrl() == null ? "" : settings.publicUrl();
    return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path;
  }


  private static String trim(String s) {
    return s == null ? "" : s.strip();
  }

  static String newTicket() {
    StringBuilder b = new StringBuilder("HA-");
    for (int i = 0; i < 10; i++) {
      b.append(TICKET_ALPHABET[RANDOM.nextInt(TICKET_ALPHABET.length)]);
    }
    return b.toString();
  }

  private static String randomToken() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package dev.hearth.admin.appeals;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Date;
import java.util.Properties;

/**
 * Sends the outbox's mail through the operator's SMTP server (Jakarta Mail), with STARTTLS
 * required when configured and bounded connect and I/O timeouts, so a slow server never holds
 * the sender for long.
 *
 * @param host the SMTP server
 * @param port its port (25, 587)
 * @param from the sender address
 * @param startTls require STARTTLS before anything is sent
 * @param username null for no authentication
 * @param password with {@code username}
 */
public record SmtpMailer(String host, int port, String from, boolean startTls, String username,
    String password) implements Outbox.Mailer {

  @Override
  public void send(String to, String subject, String body) throws Exception {
    Properties p = new Properties();
    p.put("mail.smtp.host", host);
    p.put("mail.smtp.port", Integer.toString(port));
    p.put("mail.smtp.connectiontimeout", "10000");
    p.put("mail.smtp.timeout", "10000");
    p.put("mail.smtp.writetimeout", "10000");
    if (startTls) {
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", "true");
    }
    if (username != null) {
      p.put("mail.smtp.auth", "true");
    }
    Session session = Session.getInstance(p);
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress(from, true));
    m.setRecipient(Message.RecipientType.TO, new InternetAddress(to, true));
    m.setSubject(subject, "UTF-8");
    m.setText(body, "UTF-8");
    m.setSentDate(new Date());
    if (username != null) {
      Transport.send(m, username, password);
    } else {
      Transport.send(m);
    }
  }
}

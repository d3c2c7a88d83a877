package dev.hearth.admin.web;

import dev.hearth.resolver.policy.Schedule;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A profile's weekly schedules as a table: one row per day, one column per hour, the hours a
 * schedule blocks marked with its letter (not colour alone) and shaded, after a sentence per
 * schedule that says the same in words. Server-rendered and read-only; {@code schedule.js}
 * lets the grid fill in the bedtime or homework fields of the form around it, which stay what is
 * submitted and checked. An hour is marked when any minute of it is inside a window; the
 * sentences give the exact times.
 */
final class WeekGrid {
  private WeekGrid() {}

  /** The mark of a schedule: a letter for bedtime and homework, else its number. */
  static String mark(Ui ui, Schedule s, int index) {
    if (ProfileForm.BEDTIME.equals(s.name())) {
      return ui.t("grid.mark.bedtime");
    }
    if (ProfileForm.HOMEWORK.equals(s.name())) {
      return ui.t("grid.mark.homework");
    }
    return String.valueOf(index + 1);
  }

  /** The CSS class of a schedule's marks ({@code schedule.js} redraws bedtime and homework). */
  static String kind(Schedule s) {
    return ProfileForm.BEDTIME.equals(s.name()) ? "bedtime"
        : ProfileForm.HOMEWORK.equals(s.name()) ? "homework" : "other";
  }

  /** The schedule's name as people read it. */
  static String title(Ui ui, Schedule s) {
    return ProfileForm.BEDTIME.equals(s.name()) ? ui.t("profile.bedtime")
        : ProfileForm.HOMEWORK.equals(s.name()) ? ui.t("profile.homework") : s.name();
  }

  /**
   * Which hours of the week (0 = Monday 00:00-01:00, 167 = Sunday 23:00-24:00) the window
   * touches; a window past midnight on Sunday runs on into Monday.
   */
  static boolean[] hours(Schedule s) {
    boolean[] out = new boolean[168];
    int from = s.from().getHour() * 60 + s.from().getMinute();
    int to = s.to().getHour() * 60 + s.to().getMinute();
    int length = s.overnight() ? 1440 - from + to : to - from;
    for (DayOfWeek d : s.days()) {
      int start = (d.getValue() - 1) * 1440 + from;
      for (int h = start / 60; h <= (start + length - 1) / 60; h++) {
        out[h % 168] = true;
      }
    }
    return out;
  }

  /** The sentence for one schedule. */
  static String describe(Ui ui, Schedule s) {
    List<String> days = new ArrayList<>();
    for (DayOfWeek d : new TreeSet<>(s.days())) {
      days.add(ui.t("day." + ProfileForm.DAYS.get(d.getValue() - 1)));
    }
    String when = ui.t(s.overnight() ? "grid.window.overnight" : "grid.window",
        String.join(", ", days), s.from().toString(), s.to().toString());
    return s.blockAll()
        ? ui.t("grid.text.all", title(ui, s), when)
        : ui.t("grid.text.categories", title(ui, s), when,
            String.join(", ", new TreeSet<>(s.categories())));
  }

  /** The sentences and the table. */
  static String render(Ui ui, List<Schedule> schedules) {
    StringBuilder b = new StringBuilder("<div class=\"week\" data-mark-bedtime=\"")
        .append(ui.te("grid.mark.bedtime")).append("\" data-mark-homework=\"")
        .append(ui.te("grid.mark.homework")).append("\" data-pick=\"")
        .append(ui.te("grid.js.pick")).append("\" data-help=\"").append(ui.te("grid.js.help"))
        .append("\" data-start=\"").append(ui.te("grid.js.start")).append("\" data-set=\"")
        .append(ui.te("grid.js.set")).append("\" data-bedtime=\"")
        .append(ui.te("profile.bedtime")).append("\" data-homework=\"")
        .append(ui.te("profile.homework")).append("\">");
    b.append("<h3>").append(ui.te("grid.title")).append("</h3>");
    if (schedules.isEmpty()) {
      b.append("<p>").append(ui.te("grid.none")).append("</p>");
    } else {
      b.append("<ul class=\"week-text\">");
      for (int i = 0; i < schedules.size(); i++) {
        Schedule s = schedules.get(i);
        b.append("<li><span class=\"m m-").append(kind(s)).append("\">")
            .append(Ui.esc(mark(ui, s, i))).append("</span> ")
            .append(Ui.esc(describe(ui, s))).append("</li>");
      }
      b.append("</ul>");
    }
    boolean[][] marked = new boolean[schedules.size()][];
    for (int i = 0; i < marked.length; i++) {
      marked[i] = hours(schedules.get(i));
    }
    b.append("<table class=\"week-grid\"><caption>")
        .append(ui.te("grid.caption")).append("</caption><thead><tr><th scope=\"col\">")
        .append(ui.te("grid.day")).append("</th>");
    for (int h = 0; h < 24; h++) {
      b.append("<th scope=\"col\">").append(h < 10 ? "0" : "").append(h).append("</th>");
    }
    b.append("</tr></thead><tbody>");
    for (int d = 0; d < 7; d++) {
      String day = ProfileForm.DAYS.get(d);
      b.append("<tr data-day=\"").append(day).append("\"><th scope=\"row\">")
          .append(ui.te("day." + day)).append("</th>");
      for (int h = 0; h < 24; h++) {
        StringBuilder marks = new StringBuilder();
        for (int i = 0; i < marked.length; i++) {
          if (marked[i][d * 24 + h]) {
            Schedule s = schedules.get(i);
            marks.append("<span class=\"m m-").append(kind(s)).append("\">")
                .append(Ui.esc(mark(ui, s, i))).append("</span>");
          }
        }
        b.append("<td data-hour=\"").append(h).append("\"")
            .append(marks.length() > 0 ? " class=\"on\"" : "").append(">").append(marks)
            .append("</td>");
      }
      b.append("</tr>");
    }
    return b.append("</tbody></table></div>").toString();
  }
}

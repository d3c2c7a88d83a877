package dev.hearth.admin.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.admin.policy.Preset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The profile editor shared by the operator console and the parent portal: categories as
 * checkboxes, allow and block names, a bedtime and a homework window (with the week they make
 * shown as a grid, {@link WeekGrid}), budgets, SafeSearch and (console only) how blocks are
 * answered. It reads and writes the same JSON document as the API. Settings the form does not
 * show (schedules with other names) are kept as they are; a preset is turned into its plain
 * category list on the first save, so what the parent sees ticked is exactly what is blocked.
 */
final class ProfileForm {
  static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");
  static final String BEDTIME = "bedtime";
  static final String HOMEWORK = "homework";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ProfileForm() {}

  /**
   * A compiled profile (say one from the config file) as a document, with everything it sets:
   * a household's copy must start with the operator's protections, not without them. Null for
   * the "every category" profile, which a document cannot express.
   */
  static ObjectNode fromProfile(dev.hearth.resolver.policy.Profile p) {
    if (p.everyCategory()) {
      return null;
    }
    ObjectNode d = JSON.createObjectNode();
    d.put("name", p.name());
    if (!p.blockedCategories().isEmpty()) {
      ArrayNode a = d.putArray("block_categories");
      new TreeSet<>(p.blockedCategories()).forEach(a::add);
    }
    if (!p.allowNames().isEmpty()) {
      ArrayNode a = d.putArray("allow");
      p.allowNames().forEach(a::add);
    }
    if (!p.blockNames().isEmpty()) {
      ArrayNode a = d.putArray("block");
      p.blockNames().forEach(a::add);
    }
    d.put("block_bypass", p.blockBypass());
    switch (p.blockAnswer()) {
      case NODATA -> d.put("block_answer", "nodata");
      case NULL_ADDRESS -> d.put("block_answer", "null-address");
      case BLOCK_PAGE -> d.put("block_answer", "block-page");
      default -> { }
    }
    if (p.safeSearch() != dev.hearth.resolver.policy.SafeSearch.Mode.OFF) {
      d.put("safe_search", p.safeSearch().name().toLowerCase(java.util.Locale.ROOT));
    }
    if (!p.budgetMinutes().isEmpty()) {
      ObjectNode b = d.putObject("budgets");
      p.budgetMinutes().forEach((cat, min) -> b.put(cat, min + "m"));
    }
    if (!p.schedules().isEmpty()) {
      ArrayNode a = d.putArray("schedules");
      for (var sc : p.schedules()) {
        ObjectNode o = a.addObject();
        o.put("name", sc.name());
        ArrayNode days = o.putArray("days");
        sc.days().stream().sorted().forEach(day -> days.add(DAYS.get(day.getValue() - 1)));
        o.put("from", sc.from().toString());
        o.put("to", sc.to().toString());
        if (sc.blockAll()) {
          o.put("block", "all");
        } else {
          ArrayNode c = o.putArray("block_categories");
          new TreeSet<>(sc.categories()).forEach(c::add);
        }
        if (!sc.allowNames().isEmpty()) {
          ArrayNode al = o.putArray("allow");
          sc.allowNames().forEach(al::add);
        }
      }
    }
    return d;
  }

  /** The categories a profile blocks, a preset's included. */
  static Set<String> categories(JsonNode doc, Map<String, Preset> presets) {
    Set<String> out = new TreeSet<>();
    if (doc == null) {
      return out;
    }
    Preset p = doc.hasNonNull("preset") ? presets.get(doc.get("preset").asText()) : null;
    if (p != null) {
      out.addAll(p.categories());
    }
    strings(doc.get("block_categories")).forEach(out::add);
    strings(doc.get("allow_categories")).forEach(out::remove);
    return out;
  }

  static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n != null && n.isArray()) {
      n.forEach(x -> out.add(x.asText()));
    } else if (n != null && n.isTextual()) {
      out.add(n.asText());
    }
    return out;
  }

  static JsonNode bedtime(JsonNode doc) {
    return schedule(doc, BEDTIME);
  }

  /** The schedule named {@code name} in {@code doc}, or null. */
  static JsonNode schedule(JsonNode doc, String name) {
    if (doc != null && doc.get("schedules") instanceof ArrayNode a) {
      for (JsonNode s : a) {
        if (name.equals(s.path("name").asText())) {
          return s;
        }
      }
    }
    return null;
  }

  /** A schedule's days as three-letter names ("weekdays" and the like spelled out). */
  static Set<String> days(JsonNode schedule) {
    Set<String> out = new LinkedHashSet<>();
    for (String d : strings(schedule == null ? null : schedule.get("days"))) {
      switch (d) {
        case "daily" -> out.addAll(DAYS);
        case "weekdays" -> out.addAll(DAYS.subList(0, 5));
        case "weekends" -> out.addAll(DAYS.subList(5, 7));
        default -> out.add(d.length() > 3 ? d.substring(0, 3) : d);
      }
    }
    return out;
  }

  /** The form's fields without a week grid. */
  static String fields(Ui ui, JsonNode doc, Map<String, Preset> presets, Set<String> known,
      boolean console) {
    return fields(ui, doc, presets, known, console, null);
  }

  /**
   * The form's fields (no form element or buttons), filled from {@code doc}, with the week
   * grid of the schedules in force ({@code inForce}; null for no grid).
   */
  static String fields(Ui ui, JsonNode doc, Map<String, Preset> presets, Set<String> known,
      boolean console, List<dev.hearth.resolver.policy.Schedule> inForce) {
    StringBuilder b = new StringBuilder();
    b.append(ui.input("name", "profile.name", doc == null ? "" : doc.path("name").asText(""),
        "text", null, "maxlength=\"100\""));
    Set<String> blocked = categories(doc, presets);
    Set<String> all = new TreeSet<>(known);
    all.addAll(blocked);
    b.append("<fieldset><legend>").append(ui.te("profile.categories")).append("</legend>")
        .append("<p class=\"hint\">").append(ui.te("profile.categories.hint")).append("</p>")
        .append("<div class=\"checks\">");
    for (String c : all) {
      String id = "cat-" + c.replaceAll("[^A-Za-z0-9_-]", "_");
      b.append("<span><input type=\"checkbox\" id=\"").append(id).append("\" name=\"category\"")
          .append(" value=\"").append(Ui.esc(c)).append("\"")
          .append(blocked.contains(c) ? " checked" : "").append("> <label for=\"").append(id)
          .append("\">").append(Ui.esc(c)).append("</label></span>");
    }
    b.append("</div></fieldset>");
    boolean bypass = doc != null && (doc.path("block_bypass").asBoolean(false)
        || (doc.hasNonNull("preset") && !doc.has("block_bypass")
            && presets.containsKey(doc.get("preset").asText())
            && presets.get(doc.get("preset").asText()).blockBypass()));
    b.append("<p class=\"field\"><input type=\"checkbox\" id=\"f-block_bypass\"")
        .append(" name=\"block_bypass\" value=\"true\"").append(bypass ? " checked" : "")
        .append("> <label for=\"f-block_bypass\">").append(ui.te("profile.bypass"))
        .append("</label></p>");
    b.append(ui.textarea("allow", "profile.allow", strings(doc == null ? null : doc.get("allow")),
        "names.hint"));
    b.append(ui.textarea("block", "profile.block", strings(doc == null ? null : doc.get("block")),
        "names.hint"));
    if (inForce != null) {
      b.append(WeekGrid.render(ui, inForce));
    }
    JsonNode bed = bedtime(doc);
    Set<String> bedDays = days(bed);
    b.append("<fieldset data-schedule=\"bedtime\"><legend>").append(ui.te("profile.bedtime"))
        .append("</legend>")
        .append("<p class=\"hint\">").append(ui.te("profile.bedtime.hint")).append("</p>")
        .append("<div class=\"checks\">");
    for (String d : DAYS) {
      b.append("<span><input type=\"checkbox\" id=\"day-").append(d)
          .append("\" name=\"bedtime_days\" value=\"").append(d).append("\"")
          .append(bedDays.contains(d) ? " checked" : "").append("> <label for=\"day-").append(d)
          .append("\">").append(ui.te("day." + d)).append("</label></span>");
    }
    b.append("</div>")
        .append(ui.input("bedtime_from", "profile.bedtime.from",
            bed == null ? "20:00" : bed.path("from").asText("20:00"), "time", null, null))
        .append(ui.input("bedtime_to", "profile.bedtime.to",
            bed == null ? "07:00" : bed.path("to").asText("07:00"), "time", null, null))
        .append(ui.textarea("bedtime_allow", "profile.bedtime.allow",
            strings(bed == null ? null : bed.get("allow")), "names.hint"))
        .append("</fieldset>");
    JsonNode hw = schedule(doc, HOMEWORK);
    Set<String> hwDays = days(hw);
    Set<String> hwCats = new TreeSet<>(strings(hw == null ? null : hw.get("block_categories")));
    b.append("<fieldset data-schedule=\"homework\"><legend>").append(ui.te("profile.homework"))
        .append("</legend><p class=\"hint\">").append(ui.te("profile.homework.hint"))
        .append("</p><div class=\"checks\">");
    for (String d : DAYS) {
      b.append("<span><input type=\"checkbox\" id=\"hw-day-").append(d)
          .append("\" name=\"homework_days\" value=\"").append(d).append("\"")
          .append(hwDays.contains(d) ? " checked" : "").append("> <label for=\"hw-day-")
          .append(d).append("\">").append(ui.te("day." + d)).append("</label></span>");
    }
    b.append("</div>")
        .append(ui.input("homework_from", "profile.homework.from",
            hw == null ? "16:00" : hw.path("from").asText("16:00"), "time", null, null))
        .append(ui.input("homework_to", "profile.homework.to",
            hw == null ? "18:00" : hw.path("to").asText("18:00"), "time", null, null))
        .append("<fieldset><legend>").append(ui.te("profile.homework.categories"))
        .append("</legend><div class=\"checks\">");
    Set<String> hwAll = new TreeSet<>(known);
    hwAll.addAll(hwCats);
    for (String c : hwAll) {
      String id = "hw-cat-" + c.replaceAll("[^A-Za-z0-9_-]", "_");
      b.append("<span><input type=\"checkbox\" id=\"").append(id)
          .append("\" name=\"homework_category\" value=\"").append(Ui.esc(c)).append("\"")
          .append(hwCats.contains(c) ? " checked" : "").append("> <label for=\"").append(id)
          .append("\">").append(Ui.esc(c)).append("</label></span>");
    }
    b.append("</div></fieldset></fieldset>");
    b.append("<fieldset><legend>").append(ui.te("profile.budgets")).append("</legend>")
        .append("<p class=\"hint\">").append(ui.te("profile.budgets.hint")).append("</p>");
    List<String[]> rows = new ArrayList<>();
    if (doc != null && doc.get("budgets") instanceof ObjectNode budgets) {
      budgets.fields().forEachRemaining(e -> rows.add(new String[] {e.getKey(),
          e.getValue().asText()}));
    }
    rows.add(new String[] {"", ""});
    rows.add(new String[] {"", ""});
    for (int i = 0; i < rows.size(); i++) {
      b.append("<p class=\"field budget\"><label for=\"budget-cat-").append(i).append("\">")
          .append(ui.te("profile.budget.category")).append("</label> <input id=\"budget-cat-")
          .append(i).append("\" name=\"budget_category\" type=\"text\" value=\"")
          .append(Ui.esc(rows.get(i)[0])).append("\"> <label for=\"budget-time-").append(i)
          .append("\">").append(ui.te("profile.budget.time")).append("</label> <input id=")
          .append("\"budget-time-").append(i).append("\" name=\"budget_time\" type=\"text\"")
          .append(" value=\"").append(Ui.esc(rows.get(i)[1])).append("\"></p>");
    }
    b.append("</fieldset>");
    String safe = doc == null ? "off" : doc.path("safe_search").asText("off");
    b.append(ui.select("safe_search", "profile.safesearch", List.of(
        new String[] {"off", ui.t("safesearch.off")},
        new String[] {"moderate", ui.t("safesearch.moderate")},
        new String[] {"strict", ui.t("safesearch.strict")}), safe));
    if (console) {
      String answer = doc == null ? "nxdomain" : doc.path("block_answer").asText("nxdomain");
      b.append(ui.select("block_answer", "profile.answer", List.of(
          new String[] {"nxdomain", ui.t("answer.nxdomain")},
          new String[] {"nodata", ui.t("answer.nodata")},
          new String[] {"null-address", ui.t("answer.null")},
          new String[] {"block-page", ui.t("answer.page")}), answer));
    }
    return b.toString();
  }

  /**
   * The document the submitted form describes, keeping what the form does not show from
   * {@code existing}. {@code console} says whether the block answer field was shown.
   */
  static ObjectNode parse(Map<String, List<String>> form, JsonNode existing, boolean console) {
    ObjectNode doc = existing instanceof ObjectNode o ? o.deepCopy() : JSON.createObjectNode();
    doc.remove(List.of("id", "preset", "allow_categories", "block_categories", "allow", "block",
        "name", "block_bypass", "safe_search"));
    String name = first(form, "name").trim();
    if (!name.isEmpty()) {
      doc.put("name", name);
    }
    List<String> cats = form.getOrDefault("category", List.of());
    if (!cats.isEmpty()) {
      ArrayNode a = doc.putArray("block_categories");
      new TreeSet<>(cats).forEach(a::add);
    }
    doc.put("block_bypass", "true".equals(first(form, "block_bypass")));
    names(doc, "allow", first(form, "allow"));
    names(doc, "block", first(form, "block"));
    String safe = first(form, "safe_search");
    if (!safe.isEmpty() && !safe.equals("off")) {
      doc.put("safe_search", safe);
    }
    if (console) {
      String answer = first(form, "block_answer");
      if (answer.isEmpty() || answer.equals("nxdomain")) {
        doc.remove("block_answer");
      } else {
        doc.put("block_answer", answer);
      }
    }
    doc.remove("budgets");
    List<String> budgetCats = form.getOrDefault("budget_category", List.of());
    List<String> budgetTimes = form.getOrDefault("budget_time", List.of());
    ObjectNode budgets = JSON.createObjectNode();
    for (int i = 0; i < budgetCats.size(); i++) {
      String cat = budgetCats.get(i).trim();
      String time = i < budgetTimes.size() ? budgetTimes.get(i).trim() : "";
      if (!cat.isEmpty() || !time.isEmpty()) {
        budgets.put(cat, time); // an empty half is refused by the reader, naming the field
      }
    }
    if (!budgets.isEmpty()) {
      doc.set("budgets", budgets);
    }
    ArrayNode schedules = JSON.createArrayNode();
    if (doc.get("schedules") instanceof ArrayNode old) {
      for (JsonNode s : old) {
        String n = s.path("name").asText();
        if (!BEDTIME.equals(n) && !HOMEWORK.equals(n)) {
          schedules.add(s);
        }
      }
    }
    List<String> days = form.getOrDefault("bedtime_days", List.of());
    if (!days.isEmpty()) {
      ObjectNode bed = schedules.addObject();
      bed.put("name", BEDTIME);
      ArrayNode d = bed.putArray("days");
      DAYS.stream().filter(days::contains).forEach(d::add);
      days.stream().filter(x -> !DAYS.contains(x)).forEach(d::add); // refused by the reader
      bed.put("from", first(form, "bedtime_from").trim());
      bed.put("to", first(form, "bedtime_to").trim());
      bed.put("block", "all");
      List<String> allow = split(first(form, "bedtime_allow"));
      if (!allow.isEmpty()) {
        ArrayNode a = bed.putArray("allow");
        allow.forEach(a::add);
      }
    }
    List<String> hwDays = form.getOrDefault("homework_days", List.of());
    if (!hwDays.isEmpty()) {
      ObjectNode hw = schedules.addObject();
      hw.put("name", HOMEWORK);
      ArrayNode d = hw.putArray("days");
      DAYS.stream().filter(hwDays::contains).forEach(d::add);
      hwDays.stream().filter(x -> !DAYS.contains(x)).forEach(d::add); // refused by the reader
      hw.put("from", first(form, "homework_from").trim());
      hw.put("to", first(form, "homework_to").trim());
      // No category ticked: the reader refuses the empty list, naming the field.
      ArrayNode c = hw.putArray("block_categories");
      new TreeSet<>(form.getOrDefault("homework_category", List.of())).forEach(c::add);
    }
    if (schedules.isEmpty()) {
      doc.remove("schedules");
    } else {
      doc.set("schedules", schedules);
    }
    return doc;
  }

  static String first(Map<String, List<String>> form, String key) {
    List<String> v = form.get(key);
    return v == null || v.isEmpty() || v.get(0) == null ? "" : v.get(0);
  }

  /** Names typed one per line (or separated by spaces or commas). */
  static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    for (String s : text.split("[\\s,]+")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }

  private static void names(ObjectNode doc, String key, String text) {
    List<String> names = split(text);
    if (!names.isEmpty()) {
      ArrayNode a = doc.putArray(key);
      names.forEach(a::add);
    }
  }
}

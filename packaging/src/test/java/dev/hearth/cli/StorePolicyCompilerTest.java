package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hearth.admin.policy.InvalidPolicyException;
import dev.hearth.admin.policy.Kind;
import dev.hearth.admin.policy.PolicyDocuments;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The compiler reuses subscriber documents it has read before; reuse must never serve a stale
 * answer: changed documents are read again, and references to profiles are checked every time.
 */
class StorePolicyCompilerTest {
  StorePolicyCompiler compiler() throws Exception {
    Settings.Builder b = Settings.builder();
    ConfigFile.parse("policy:\n  profiles:\n    - {id: kids}\n    - {id: teens}\n", "t.yaml", b);
    return (StorePolicyCompiler) b.build().policyCompiler();
  }

  @Test
  void reusedDocuments_neverServeAStaleAnswer() throws Exception {
    StorePolicyCompiler c = compiler();
    PolicyDocuments docs = new PolicyDocuments(Map.of("extra", "{\"id\":\"extra\"}"),
        Map.of("h1", "{\"id\":\"h1\",\"profile\":\"kids\"}",
            "h2", "{\"id\":\"h2\",\"profile\":\"extra\"}"), Map.of());
    assertEquals("kids", c.compile(docs).directory().subscriber("h1").profileId());
    PolicyDocuments changed = docs.with(Kind.SUBSCRIBER, "h1",
        "{\"id\":\"h1\",\"profile\":\"teens\"}");
    assertEquals("teens", c.compile(changed).directory().subscriber("h1").profileId());
    assertEquals("kids", c.compile(docs).directory().subscriber("h1").profileId(), "and back");

    // h2's document is unchanged (so reused), but the profile it names is gone: refused.
    InvalidPolicyException e = assertThrows(InvalidPolicyException.class,
        () -> c.compile(docs.with(Kind.PROFILE, "extra", null)));
    assertEquals(Kind.SUBSCRIBER, e.kind());
    assertEquals("h2", e.id());
    assertEquals("profile", e.field());
    // A failed compile changes nothing: the next good one still works.
    assertEquals("extra", c.compile(docs).directory().subscriber("h2").profileId());
  }

  @Test
  void storedPresets_overrideOrAdd_andTheirErrorsNameThePreset() throws Exception {
    StorePolicyCompiler c = compiler();
    assertEquals(java.util.Set.of("young-child", "pre-teen", "teen", "adult", "public-venue"),
        c.builtInPresets());
    PolicyDocuments docs = new PolicyDocuments(Map.of("p", "{\"id\":\"p\",\"preset\":\"teen\"}",
        "q", "{\"id\":\"q\",\"preset\":\"mine\"}"), Map.of(), Map.of(),
        Map.of("teen", "{\"id\":\"teen\",\"name\":\"Teen (ours)\",\"block_categories\":[\"x\"]}",
            "mine", "{\"id\":\"mine\",\"block_bypass\":true}"));
    var snapshot = c.compile(docs);
    assertEquals(java.util.Set.of("x"), snapshot.profiles().get("p").blockedCategories());
    assertEquals("Teen (ours)", snapshot.profiles().get("p").name());
    assertEquals(true, snapshot.profiles().get("q").blockBypass());
    assertEquals("mine", snapshot.profiles().get("q").name(), "the id when a preset has no name");
    var presets = c.presets(docs);
    assertEquals(java.util.List.of("young-child", "pre-teen", "teen", "adult", "public-venue",
        "mine"), presets.stream().map(dev.hearth.admin.policy.Preset::id).toList(),
        "an override keeps the built-in's place; new ones come after");

    InvalidPolicyException e = assertThrows(InvalidPolicyException.class, () -> c.compile(
        docs.with(Kind.PRESET, "mine", "{\"id\":\"mine\",\"block_categories\":[\"a\", 3, []]}")));
    assertEquals(Kind.PRESET, e.kind());
    assertEquals("mine", e.id());
    assertEquals("block_categories[2]", e.field());
    InvalidPolicyException gone = assertThrows(InvalidPolicyException.class, () -> c.compile(
        docs.with(Kind.PRESET, "mine", null)));
    assertEquals(Kind.PROFILE, gone.kind());
    assertEquals("preset", gone.field());
  }
}

package org.fwdlearn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import org.fwdlearn.io.Json;
import org.fwdlearn.train.TrainConfig;
import org.junit.jupiter.api.Test;

class SettingsTest {
  @Test
  void everyTrainConfigFieldIsASettingWithHelp() {
    int fields = 0;
    for (Field f : TrainConfig.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers())) {
        continue;
      }
      fields++;
      assertTrue(Settings.DESCRIPTIONS.containsKey(f.getName()), "no help text for TrainConfig." + f.getName());
      assertEquals(f, Settings.byKey(Settings.kebab(f.getName())).field());
    }
    assertEquals(fields, Settings.all().size());
  }

  @Test
  void helpShowsEachDefault() {
    assertTrue(Settings.byKey("momentum").description().endsWith("Default: 0.9."));
    assertTrue(Settings.byKey("hidden").description().endsWith("Default: 1024."));
    assertTrue(Settings.byKey("decay-epochs").description().endsWith("Default: 60,90."));
    assertTrue(Settings.byKey("rule").description().endsWith("Default: pepita."));
    assertTrue(Settings.byKey("lr").description().contains("0.1 for pepita"), Settings.byKey("lr").description());
  }

  @Test
  void textValuesConvertOrNameTheSettingAndTheAllowedValues() {
    TrainConfig c = new TrainConfig();
    Settings.applyText(c, Settings.byKey("hidden"), "1024,512");
    assertArrayEquals(new int[] {1024, 512}, c.hidden);
    Settings.applyText(c, Settings.byKey("hidden"), "none");
    assertArrayEquals(new int[0], c.hidden);
    Settings.applyText(c, Settings.byKey("rule"), "BP");
    assertEquals("bp", c.rule);
    Settings.applyText(c, Settings.byKey("lr"), "1e-3");
    assertEquals(1e-3f, c.lr);
    Settings.applyText(c, Settings.byKey("mirror"), "true");
    assertTrue(c.mirror);
    UsageException e = assertThrows(UsageException.class, () -> Settings.applyText(c, Settings.byKey("rule"), "sgd"));
    assertTrue(e.getMessage().contains("--rule") && e.getMessage().contains("pepita-hebbian"), e.getMessage());
    e = assertThrows(UsageException.class, () -> Settings.applyText(c, Settings.byKey("hidden"), "10,x"));
    assertTrue(e.getMessage().contains("--hidden") && e.getMessage().contains("comma-separated"), e.getMessage());
    e = assertThrows(UsageException.class, () -> Settings.applyText(c, Settings.byKey("lr"), "0x1p3"));
    assertTrue(e.getMessage().contains("--lr"), e.getMessage());
    e = assertThrows(UsageException.class, () -> Settings.applyText(c, Settings.byKey("mirror"), "yes"));
    assertTrue(e.getMessage().contains("true, false"), e.getMessage());
  }

  @Test
  void jsonRejectsUnknownKeysAndWrongTypesByName() {
    TrainConfig c = new TrainConfig();
    UsageException e = assertThrows(UsageException.class,
        () -> Settings.applyJson(c, Json.parseObject("{\"weightDecay\": 0.1}"), "cfg.json"));
    assertTrue(e.getMessage().contains("'weightDecay'") && e.getMessage().contains("weight-decay"), e.getMessage());
    e = assertThrows(UsageException.class, () -> Settings.applyJson(c, Json.parseObject("{\"epochs\": 1.5}"), "cfg.json"));
    assertTrue(e.getMessage().contains("\"epochs\"") && e.getMessage().contains("integer"), e.getMessage());
    e = assertThrows(UsageException.class, () -> Settings.applyJson(c, Json.parseObject("{\"hidden\": \"1024\"}"), "cfg.json"));
    assertTrue(e.getMessage().contains("array of integers"), e.getMessage());
    e = assertThrows(UsageException.class, () -> Settings.applyJson(c, Json.parseObject("{\"rule\": null}"), "cfg.json"));
    assertTrue(e.getMessage().contains("\"rule\""), e.getMessage());
  }

  @Test
  void theResolvedJsonReadsBackToTheSameSettings() {
    TrainConfig c = new TrainConfig();
    c.rule = "dfa";
    c.hidden = new int[] {7, 5};
    c.weightDecay = 1e-4f;
    c.dataDir = "/tmp/x";
    c.mirror = true;
    Map<String, Object> json = Json.parseObject(Json.write(Settings.toJson(c)));
    assertEquals(0.01, (Double) json.get("lr"), 1e-9); // resolved: dfa's default
    TrainConfig back = new TrainConfig();
    Settings.applyJson(back, json, "x");
    for (Settings.Setting s : Settings.all()) {
      Object a = s.get(c);
      Object b = s.get(back);
      if (s.key().equals("lr")) {
        assertNull(a);
        assertEquals(c.effectiveLr(), b);
      } else if (a instanceof int[] ia) {
        assertArrayEquals(ia, (int[]) b, s.key());
      } else {
        assertEquals(a, b, s.key());
      }
    }
  }
}

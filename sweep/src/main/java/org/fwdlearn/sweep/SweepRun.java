package org.fwdlearn.sweep;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of a sweep: a normal training run whose settings are the sweep's base settings, one value of each axis
 * and a seed.
 *
 * @param index the 0-based position of the run in the expansion (configurations in axis order, seeds innermost)
 * @param name the run's directory name, stable and readable: {@code lr=0.01_f-scale=0.05_seed=1}
 * @param group the name of the run's configuration (its axis values without the seed), shared by its seeds
 * @param axisValues the run's value of each axis, in the sweep file's axis order (JSON values)
 * @param seed the run's seed
 * @param settings every setting of the run (base, then the axis values, then {@code "seed"}), keyed like a
 *     {@code fwdlearn train --config} file; the thread count is not among them (the engine chooses it)
 */
public record SweepRun(
    int index, String name, String group, Map<String, Object> axisValues, long seed, Map<String, Object> settings)
    implements Serializable {
  public SweepRun {
    axisValues = frozen(axisValues);
    settings = frozen(settings);
  }

  /** An insertion-ordered, unmodifiable and serializable deep copy of a JSON object. */
  static Map<String, Object> frozen(Map<String, Object> m) {
    Map<String, Object> c = new LinkedHashMap<>();
    m.forEach((k, v) -> c.put(k, frozenValue(v)));
    return Collections.unmodifiableMap(c);
  }

  @SuppressWarnings("unchecked")
  private static Object frozenValue(Object v) {
    if (v instanceof Map<?, ?> m) {
      return frozen((Map<String, Object>) m);
    } else if (v instanceof List<?> l) {
      List<Object> c = new ArrayList<>(l.size());
      l.forEach(x -> c.add(frozenValue(x)));
      return Collections.unmodifiableList(c);
    }
    return v;
  }
}

package org.fwdlearn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fwdlearn.core.Matrix;
import org.fwdlearn.data.TeacherStudent.Activation;
import org.fwdlearn.data.TeacherStudent.Config;
import org.junit.jupiter.api.Test;

class TeacherStudentTest {
  /**
   * Accuracy of erf: the series (|z| < 2.5) adds up to ~40 positive terms, one rounding each; the continued
   * fraction's erfc is ~1e-15 relative on values below 4.1e-4. 64 ulps of 1 covers both with room.
   */
  private static final double ERF_TOL = 64 * Math.ulp(1.0);

  /**
   * Composite Simpson on 2000 intervals of f(t) = 2/sqrt(pi) exp(-t^2): error <= |z| h^4 max|f''''| / 180 with
   * max|f''''| = 12 * 2/sqrt(pi) < 13.6 and h = |z|/2000, i.e. < 2e-11 for |z| <= 6.
   */
  private static final double SIMPSON_TOL = 2e-11;

  private static double simpsonErf(double z) {
    int m = 2000;
    double h = z / m;
    double s = 0;
    for (int k = 0; k <= m; k++) {
      double t = k * h;
      double w = (k == 0 || k == m) ? 1 : (k % 2 == 1 ? 4 : 2);
      s += w * Math.exp(-t * t);
    }
    return 2 / Math.sqrt(Math.PI) * s * h / 3;
  }

  @Test
  void erfMatchesTabulatedValues() {
    // erf(x) to 16 significant digits (Abramowitz and Stegun table 7.1 / any CAS)
    assertEquals(0.5204998778130465, TeacherStudent.erf(0.5), ERF_TOL);
    assertEquals(0.8427007929497149, TeacherStudent.erf(1.0), ERF_TOL);
    assertEquals(0.9953222650189527, TeacherStudent.erf(2.0), ERF_TOL);
    assertEquals(0.9995930479825550, TeacherStudent.erf(2.5), ERF_TOL);
    assertEquals(0.9999779095030014, TeacherStudent.erf(3.0), ERF_TOL);
    assertEquals(0.9999999845827421, TeacherStudent.erf(4.0), ERF_TOL);
    assertEquals(0.0, TeacherStudent.erf(0.0));
    assertEquals(1.0, TeacherStudent.erf(6.0));
    assertEquals(-1.0, TeacherStudent.erf(-40.0));
    assertTrue(Double.isNaN(TeacherStudent.erf(Double.NaN)));
  }

  @Test
  void erfMatchesTheIntegralOfItsDefinitionAndIsOdd() {
    for (double z = -5.9; z <= 5.9; z += 0.0371) {
      assertEquals(simpsonErf(z), TeacherStudent.erf(z), SIMPSON_TOL, "z = " + z);
      assertEquals(-TeacherStudent.erf(z), TeacherStudent.erf(-z), 0.0, "odd at z = " + z);
    }
    double prev = -1;
    for (double z = -6.5; z <= 6.5; z += 0.001) {
      double e = TeacherStudent.erf(z);
      assertTrue(e >= prev && e <= 1 && e >= -1, "monotone and bounded at z = " + z);
      prev = e;
    }
  }

  @Test
  void activations() {
    assertEquals(TeacherStudent.erf(1.3 / Math.sqrt(2)), Activation.ERF.apply(1.3), 0.0);
    assertEquals(0.0, Activation.RELU.apply(-2.0), 0.0);
    assertEquals(2.5, Activation.RELU.apply(2.5), 0.0);
    assertEquals(-2.5, Activation.LINEAR.apply(-2.5), 0.0);
  }

  @Test
  void targetsFollowTheTeacherFormula() {
    int n = 37;
    int m = 3;
    float[] v = {0.5f, -1.25f, 2f};
    for (Activation g : Activation.values()) {
      TeacherStudent ts = new TeacherStudent(new Config(n, m, g, v, 0.0), 7);
      TeacherStudent.Sample s = ts.fixedSet(20, 0);
      Matrix w = ts.teacherWeights();
      assertArrayEquals(v, ts.teacherSecondLayer());
      for (int i = 0; i < 20; i++) {
        double y = 0;
        for (int k = 0; k < m; k++) {
          double dot = 0;
          for (int j = n - 1; j >= 0; j--) { // another summation order than the generator's
            dot += (double) w.get(k, j) * s.x().get(i, j);
          }
          y += v[k] * g.apply(dot / Math.sqrt(n));
        }
        // both sums are in double (differences ~1e-15) before one rounding to float
        assertEquals((float) y, s.y()[i], Math.ulp((float) y), g + " sample " + i);
      }
      float[] again = new float[20];
      ts.label(s.x(), again);
      assertArrayEquals(s.y(), again, "label() gives the noiseless targets");
    }
  }

  @Test
  void theSameSeedGivesTheSameTeacherAndSamples() {
    Config c = new Config(20, 2, Activation.ERF);
    TeacherStudent a = new TeacherStudent(c, 123);
    TeacherStudent b = new TeacherStudent(c, 123);
    assertTrue(a.teacherWeights().contentEquals(b.teacherWeights()));
    Matrix xa = new Matrix(5, 20);
    Matrix xb = new Matrix(5, 20);
    float[] ya = new float[5];
    float[] yb = new float[5];
    for (int step = 0; step < 3; step++) {
      a.sample(xa, ya);
      b.sample(xb, yb);
      assertTrue(xa.contentEquals(xb));
      assertArrayEquals(ya, yb);
    }
    assertFalse(new TeacherStudent(c, 124).teacherWeights().contentEquals(a.teacherWeights()));
  }

  @Test
  void onlineSamplesAreFreshAndFixedSetsAreFixed() {
    TeacherStudent ts = new TeacherStudent(new Config(10, 2, Activation.RELU), 5);
    TeacherStudent.Sample before = ts.fixedSet(8, 0);
    Matrix x1 = new Matrix(8, 10);
    Matrix x2 = new Matrix(8, 10);
    float[] y = new float[8];
    ts.sample(x1, y);
    ts.sample(x2, y);
    assertFalse(x1.contentEquals(x2), "every online step sees new inputs");
    TeacherStudent.Sample after = ts.fixedSet(8, 0);
    assertTrue(before.x().contentEquals(after.x()), "a fixed set does not depend on the online stream");
    assertArrayEquals(before.y(), after.y());
    assertFalse(ts.fixedSet(8, 1).x().contentEquals(before.x()), "another set seed, another set");
    assertFalse(before.x().contentEquals(x1), "fixed sets and the online stream are independent");
  }

  @Test
  void inputsAreStandardNormal() {
    int n = 200;
    int dim = 50;
    TeacherStudent ts = new TeacherStudent(new Config(dim, 1, Activation.LINEAR), 11);
    float[] x = ts.fixedSet(n, 0).x().toArray();
    double sum = 0;
    double sq = 0;
    for (float v : x) {
      sum += v;
      sq += (double) v * v;
    }
    double mean = sum / x.length;
    double var = sq / x.length - mean * mean;
    // 5-sigma bounds for 10000 N(0,1) draws: sd(mean) = 1/100, sd(var) = sqrt(2)/100
    assertEquals(0.0, mean, 5 / Math.sqrt(x.length));
    assertEquals(1.0, var, 5 * Math.sqrt(2.0 / x.length));
  }

  @Test
  void outputNoiseHasTheRequestedStd() {
    double sigma = 0.3;
    int n = 4000;
    TeacherStudent ts = new TeacherStudent(new Config(8, 2, Activation.ERF, null, sigma), 3);
    TeacherStudent.Sample s = ts.fixedSet(n, 0);
    float[] clean = new float[n];
    ts.label(s.x(), clean);
    double sq = 0;
    for (int i = 0; i < n; i++) {
      double r = s.y()[i] - clean[i];
      sq += r * r;
    }
    // 5-sigma bound on the sample variance of n Gaussians: sd = sigma^2 sqrt(2/n)
    assertEquals(sigma * sigma, sq / n, 5 * sigma * sigma * Math.sqrt(2.0 / n));
  }

  @Test
  void badConfigurationsAreExplained() {
    assertThrows(IllegalArgumentException.class, () -> new Config(0, 1, Activation.ERF));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Config(4, 3, Activation.ERF, new float[2], 0));
    assertTrue(e.getMessage().contains("length 2") && e.getMessage().contains("M=3"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Config(4, 3, Activation.ERF, null, -1));
    TeacherStudent ts = new TeacherStudent(new Config(4, 1, Activation.ERF), 1);
    IllegalArgumentException shape =
        assertThrows(IllegalArgumentException.class, () -> ts.sample(new Matrix(2, 5), new float[2]));
    assertTrue(shape.getMessage().contains("2x5"), shape.getMessage());
  }
}

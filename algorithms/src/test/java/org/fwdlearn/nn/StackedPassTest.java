package org.fwdlearn.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fwdlearn.core.Init;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.core.Transpose;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A stacked pass is the plain pass bit for bit (every row of a product is computed alike whatever the rows
 * around it, on every GEMM path: 64 + 10 and 150 + 10 rows stay in the column-split path, 160 + 10 crosses
 * into the row split), and its extra products are {@code extra W_1^T} bit for bit as a separate product.
 */
class StackedPassTest {

  @ParameterizedTest(name = "batch {0}, threads {1}")
  @CsvSource({"64, 1", "64, 2", "150, 1", "160, 2"})
  void theStackedPassIsThePlainPassAndTheExtraProduct(int n, int threads) {
    int[] d = {100, 70, 30, 10};
    Network net = Network.create(d, WeightInit.HE_UNIFORM, false, new Rng(1));
    Matrix x = Init.uniform(new Matrix(n, d[0]), 0f, 1f, new Rng(2));
    Matrix extra = Init.normal(new Matrix(10, d[0]), 0f, 0.5f, new Rng(3));
    DropoutMasks masks = new DropoutMasks(d, n, 0.2f);
    masks.draw(new Rng(4));
    try (ThreadPool pool = new ThreadPool(threads)) {
      ForwardPass plain = new ForwardPass(net, n);
      ForwardPass stacked = new ForwardPass(net, n);
      plain.run(x, masks, pool);
      for (int rep = 0; rep < 2; rep++) { // the second run reuses the stacked buffers
        stacked.runStacked(x, extra, masks, pool);
        for (int l = 1; l <= net.layers(); l++) {
          assertTrue(plain.preActivation(l).contentEquals(stacked.preActivation(l)), "A_" + l);
        }
        for (int l = 1; l < net.layers(); l++) {
          assertTrue(plain.hidden(l).contentEquals(stacked.hidden(l)), "H_" + l);
        }
        assertTrue(plain.probabilities().contentEquals(stacked.probabilities()), "P");
        Matrix product = new Matrix(10, d[1]);
        Ops.gemm(Transpose.N, Transpose.T, 1f, extra, net.weight(1), 0f, product, pool);
        assertTrue(product.contentEquals(stacked.extraProducts()), "extra W_1^T");
      }
      stacked.run(x, masks, pool); // a plain run after a stacked one
      assertTrue(plain.preActivation(1).contentEquals(stacked.preActivation(1)), "A_1 of a later plain run");
    }
    assertThrows(IllegalStateException.class, () -> new ForwardPass(net, n).extraProducts());
  }
}

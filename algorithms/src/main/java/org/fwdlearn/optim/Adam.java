package org.fwdlearn.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;

/**
 * Adam (Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015, arXiv 1412.6980) with
 * PyTorch's semantics ({@code torch.optim.Adam}, no AMSGrad, L2 weight decay added to the gradient), for
 * each parameter W with gradient G, first and second moments m and v (initially 0) and step count t (shared
 * by the parameters of this optimiser, 1 at the first step):
 *
 * <pre>
 *   g = G + lambda W
 *   m &lt;- beta1 m + (1 - beta1) g
 *   v &lt;- beta2 v + (1 - beta2) g^2
 *   W &lt;- W - (eta / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + epsilon)
 * </pre>
 *
 * The factors 1 - beta and the bias corrections are computed in double and applied in float. It is the optimiser of the
 * Forward-Forward reimplementations (ALGORITHMS.md section 7: one Adam per layer, lr 0.03). Allocation-free
 * after construction.
 */
public final class Adam implements Optimizer {
  /** PyTorch's defaults. */
  public static final double DEFAULT_BETA1 = 0.9;

  public static final double DEFAULT_BETA2 = 0.999;
  public static final float DEFAULT_EPSILON = 1e-8f;

  private final List<Matrix> params;
  private final List<Matrix> first;
  private final List<Matrix> second;
  private final List<Matrix> state;
  private final String[] names;
  private final double beta1;
  private final double beta2;
  private final float epsilon;
  private final float weightDecay;
  private float lr;
  private long steps;

  /** Adam with PyTorch's default betas (0.9, 0.999) and epsilon 1e-8. */
  public Adam(List<Matrix> params, float lr, float weightDecay) {
    this(params, lr, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON, weightDecay, "W");
  }

  /**
   * @param params the matrices to update (live; updated in place)
   * @param lr learning rate eta >= 0
   * @param beta1 first-moment decay in [0, 1) (a double, as in PyTorch: 1 - beta is formed in double)
   * @param beta2 second-moment decay in [0, 1)
   * @param epsilon added to the denominator, > 0
   * @param weightDecay L2 coefficient lambda >= 0 (added to the gradient, not decoupled)
   * @param prefix parameter i is named {@code prefix + (i + 1)} in errors
   */
  public Adam(
      List<Matrix> params, float lr, double beta1, double beta2, float epsilon, float weightDecay, String prefix) {
    checkLr(lr);
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("Adam betas must be in [0, 1), got " + beta1 + ", " + beta2);
    }
    if (!(epsilon > 0f && Float.isFinite(epsilon))) {
      throw new IllegalArgumentException("Adam epsilon must be a finite number > 0, got " + epsilon);
    }
    if (!(weightDecay >= 0f && Float.isFinite(weightDecay))) {
      throw new IllegalArgumentException("weight decay must be a finite number >= 0, got " + weightDecay);
    }
    this.params = List.copyOf(params);
    List<Matrix> m = new ArrayList<>(params.size());
    List<Matrix> v = new ArrayList<>(params.size());
    names = new String[params.size()];
    for (int i = 0; i < params.size(); i++) {
      m.add(new Matrix(params.get(i).rows(), params.get(i).cols()));
      v.add(new Matrix(params.get(i).rows(), params.get(i).cols()));
      names[i] = prefix + (i + 1);
    }
    first = Collections.unmodifiableList(m);
    second = Collections.unmodifiableList(v);
    List<Matrix> s = new ArrayList<>(m);
    s.addAll(v);
    state = Collections.unmodifiableList(s);
    this.lr = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
  }

  private static void checkLr(float lr) {
    if (!(lr >= 0f && Float.isFinite(lr))) {
      throw new IllegalArgumentException("learning rate must be a finite number >= 0, got " + lr);
    }
  }

  @Override
  public void step(List<Matrix> grads) {
    if (grads.size() != params.size()) {
      throw new IllegalArgumentException(grads.size() + " gradients for " + params.size() + " parameters");
    }
    for (int i = 0; i < grads.size(); i++) {
      if (!grads.get(i).sameShape(params.get(i))) {
        throw new IllegalArgumentException(
            "gradient of " + names[i] + " is " + grads.get(i).shape() + ", parameter is " + params.get(i).shape());
      }
      if (!Ops.allFinite(grads.get(i))) {
        throw new NonFiniteGradientException(i, "gradient of " + names[i]);
      }
    }
    steps++;
    double bc1 = 1.0 - Math.pow(beta1, steps);
    double bc2 = 1.0 - Math.pow(beta2, steps);
    float stepSize = (float) (lr / bc1);
    float invSqrtBc2 = (float) (1.0 / Math.sqrt(bc2));
    float b1 = (float) beta1;
    float b2 = (float) beta2;
    float c1 = (float) (1 - beta1);
    float c2 = (float) (1 - beta2);
    for (int p = 0; p < params.size(); p++) {
      Matrix wm = params.get(p);
      Matrix gm = grads.get(p);
      Matrix mm = first.get(p);
      Matrix vm = second.get(p);
      float[] w = wm.data();
      float[] g = gm.data();
      float[] m = mm.data();
      float[] v = vm.data();
      int wo = wm.offset();
      int go = gm.offset();
      int mo = mm.offset();
      int vo = vm.offset();
      for (int k = 0, len = wm.size(); k < len; k++) {
        float gk = g[go + k] + weightDecay * w[wo + k];
        float mk = b1 * m[mo + k] + c1 * gk;
        float vk = b2 * v[vo + k] + c2 * gk * gk;
        m[mo + k] = mk;
        v[vo + k] = vk;
        w[wo + k] -= stepSize * mk / ((float) Math.sqrt(vk) * invSqrtBc2 + epsilon);
      }
    }
    for (int i = 0; i < params.size(); i++) {
      if (!Ops.allFinite(params.get(i))) {
        throw new NonFiniteGradientException(i, "updated " + names[i] + " (overflow)", true);
      }
    }
  }

  /**
   * Not defined for Adam: a second gradient cannot be folded into a step already taken without changing the
   * moments' meaning. Time-local PEPITA, the only caller, runs with {@link Sgd}.
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  public void addToStep(List<Matrix> grads) {
    throw new UnsupportedOperationException(
        "Adam cannot add a gradient to a step already taken (time-local PEPITA needs SGD)");
  }

  @Override
  public float learningRate() {
    return lr;
  }

  @Override
  public void setLearningRate(float lr) {
    checkLr(lr);
    this.lr = lr;
  }

  /** The number of steps taken (t of the bias corrections). */
  public long steps() {
    return steps;
  }

  /** Restores the step count (checkpoints). */
  public void setSteps(long steps) {
    if (steps < 0) {
      throw new IllegalArgumentException("Adam step count must be >= 0, got " + steps);
    }
    this.steps = steps;
  }

  @Override
  public List<Matrix> parameters() {
    return params;
  }

  /** The first moments m_1..m_k followed by the second moments v_1..v_k. */
  @Override
  public List<Matrix> stateBuffers() {
    return state;
  }
}

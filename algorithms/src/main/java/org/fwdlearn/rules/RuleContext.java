package org.fwdlearn.rules;

import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.nn.Network;

/**
 * What every learning rule is built on.
 *
 * @param network the network whose weights the rule trains (updated in place)
 * @param batchSize rows n of every training batch (workspaces are sized for it)
 * @param dropout dropout probability p of the hidden units, in [0, 1)
 * @param pool threads of the matrix products
 * @param dropoutRng the generator of the dropout masks (advanced by every step)
 */
public record RuleContext(Network network, int batchSize, float dropout, ThreadPool pool, Rng dropoutRng) {
  public RuleContext {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    if (!(dropout >= 0f && dropout < 1f)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
  }
}

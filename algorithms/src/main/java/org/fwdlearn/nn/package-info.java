/**
 * The network of the paper: a bias-free multilayer perceptron with ReLU hidden layers and a softmax output
 * ({@link org.fwdlearn.nn.Network}), consistent dropout ({@link org.fwdlearn.nn.DropoutMasks}), the
 * reference's optional activation normalization, and the preallocated workspace of one forward pass
 * ({@link org.fwdlearn.nn.ForwardPass}).
 *
 * <p>Conventions (ALGORITHMS.md section 0): batch-major, X is n x d0, W_l is d_l x d_{l-1}, A_l = H_{l-1}
 * W_l^T, H_0 = X. Layers are numbered from 1 to L as in the spec.
 */
package org.fwdlearn.nn;

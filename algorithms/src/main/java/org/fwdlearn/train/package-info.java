/**
 * Training under the paper's protocol: {@link org.fwdlearn.train.TrainConfig} (every setting, validated),
 * {@link org.fwdlearn.train.Trainer} (builds network, rule, optimiser and workspaces from the config's seed,
 * trains epoch by epoch, evaluates, checkpoints), {@link org.fwdlearn.train.EpochReport} and {@link
 * org.fwdlearn.train.TrainingResult} (what a run reports), {@link org.fwdlearn.train.Evaluation} (accuracy,
 * loss, confusion matrix), {@link org.fwdlearn.train.TrainingListener} (progress callbacks) and {@link
 * org.fwdlearn.train.TrainingDivergedException} (a NaN or infinity stopped training).
 */
package org.fwdlearn.train;

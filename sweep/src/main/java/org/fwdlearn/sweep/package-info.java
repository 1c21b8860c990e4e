/**
 * Hyper-parameter sweeps: a sweep file ({@link org.fwdlearn.sweep.SweepSpec}) expanded into runs, trained by an
 * engine on this machine ({@link org.fwdlearn.sweep.LocalEngine}) or on Apache Spark
 * ({@link org.fwdlearn.sweep.SparkEngine}), resumable run by run, with per-run and per-configuration reports
 * ({@link org.fwdlearn.sweep.SweepResults}). What a run is comes from a {@link org.fwdlearn.sweep.RunTask}; the
 * {@code fwdlearn sweep} command makes each run a normal {@code fwdlearn train} run.
 *
 * <p>This module is separate so that users of the algorithms do not depend on Spark.
 */
package org.fwdlearn.sweep;

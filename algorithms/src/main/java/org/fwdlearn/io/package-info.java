/**
 * Model files: {@link org.fwdlearn.io.Models} saves a trained {@link org.fwdlearn.nn.Network} (with the rule's
 * feedback tensors) as {@code model.safetensors} plus {@code model.json} and loads it back bit for bit; {@link
 * org.fwdlearn.io.Safetensors} reads and writes the safetensors format (F32, ranks 0 to 2); {@link
 * org.fwdlearn.io.Json} is the strict JSON reader and writer behind model.json; {@link
 * org.fwdlearn.io.AtomicFiles} writes files so that a crash leaves the old file or the new one.
 *
 * <p>A malformed model file raises {@link org.fwdlearn.io.ModelFormatException}, naming the file and the byte
 * offset of the problem.
 */
package org.fwdlearn.io;

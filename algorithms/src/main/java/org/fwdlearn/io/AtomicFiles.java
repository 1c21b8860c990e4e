package org.fwdlearn.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Files written atomically: into a temporary file of the same directory, flushed to disk ({@code fsync}),
 * then renamed over the target, and the directory entry synced. A reader (or a resumed run after a crash)
 * sees the old file or the new one, never a torn one.
 *
 * <pre>{@code
 * AtomicFiles.writeString(dir.resolve("metrics.json"), Json.write(metrics) + "\n");
 * AtomicFiles.write(dir.resolve("checkpoint.bin"), trainer::saveCheckpoint);
 * }</pre>
 *
 * <p>The temporary file is {@code .<name>.tmp} beside the target; it is removed if the writer fails.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Something that writes a file's content to a stream. */
  @FunctionalInterface
  public interface Writer {
    /** Writes the content to {@code out} (buffered; flushed and closed by the caller). */
    void write(OutputStream out) throws IOException;
  }

  /** Writes {@code target} atomically with the bytes {@code writer} produces. */
  public static void write(Path target, Writer writer) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + target.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
      writer.write(out);
      out.flush();
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    syncDirectory(dir);
  }

  /** Writes a UTF-8 text file atomically. */
  public static void writeString(Path target, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    write(target, out -> out.write(b));
  }

  private static void syncDirectory(Path dir) {
    // Makes the rename durable on Linux; some platforms cannot open a directory, which only weakens durability.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // best effort
    }
  }
}

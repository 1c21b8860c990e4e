package org.fwdlearn.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** SHA-256 checks of data files. */
public final class Checksums {
  private Checksums() {}

  /** The SHA-256 of a file as 64 lower-case hex digits. */
  public static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int r; (r = in.read(buf)) >= 0; ) {
        md.update(buf, 0, r);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /**
   * Checks the files of a directory against their expected SHA-256.
   *
   * @param dir the directory. Not modified.
   * @param expected file name -> expected SHA-256 (hex)
   * @return one line per problem (missing, unreadable or different file), empty if all match
   */
  public static List<String> verify(Path dir, Map<String, String> expected) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> e : expected.entrySet()) {
      Path f = dir.resolve(e.getKey());
      if (!Files.isRegularFile(f)) {
        problems.add(f + ": missing");
        continue;
      }
      try {
        String found = sha256(f);
        if (!found.equalsIgnoreCase(e.getValue())) {
          problems.add(f + ": SHA-256 expected " + e.getValue() + ", found " + found);
        }
      } catch (IOException ex) {
        problems.add(f + ": unreadable (" + ex.getMessage() + ")");
      }
    }
    return problems;
  }
}

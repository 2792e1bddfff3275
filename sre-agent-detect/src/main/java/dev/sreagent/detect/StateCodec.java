package dev.sreagent.detect;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The binary encoding of the detectors' snapshots ({@link dev.sreagent.api.port.Detector#snapshot()}): big-endian
 * {@link DataOutputStream} values, doubles bit for bit (a restored baseline computes exactly what the original
 * would), strings as a length and UTF-8, instants as seconds and nanoseconds behind a presence flag. Every snapshot
 * starts with a magic number, the detector's name and its format version, checked on restore.
 */
final class StateCodec {
  /** "SRDT": a detector state. */
  private static final int MAGIC = 0x53524454;

  private StateCodec() {}

  /** Writes a snapshot: the header, then what {@code body} writes. */
  static byte[] write(String detector, int version, IoWriter body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      writeString(out, detector);
      out.writeInt(version);
      body.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // not thrown by a byte array
    }
    return bytes.toByteArray();
  }

  /**
   * Reads a snapshot written by {@link #write} with the same name and version.
   *
   * @throws IllegalArgumentException naming why it cannot be read: another detector's, another version, damaged
   */
  static <T> T read(byte[] state, String detector, int version, IoReader<T> body) {
    java.util.Objects.requireNonNull(state, "state");
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
      if (state.length < 4 || in.readInt() != MAGIC) {
        throw new IllegalArgumentException("the state given to detector " + detector + " is not a detector"
            + " snapshot (no magic number); it starts cold");
      }
      String name = readString(in);
      if (!name.equals(detector)) {
        throw new IllegalArgumentException("the state given to detector " + detector + " is a snapshot of detector "
            + name + "; it starts cold");
      }
      int v = in.readInt();
      if (v != version) {
        throw new IllegalArgumentException("the snapshot of detector " + detector + " has format version " + v
            + ", this version reads " + version + "; it starts cold");
      }
      T result = body.read(in);
      if (in.read() != -1) {
        throw new IllegalArgumentException("the snapshot of detector " + detector + " is damaged: bytes follow its"
            + " end; it starts cold");
      }
      return result;
    } catch (EOFException e) {
      throw new IllegalArgumentException("the snapshot of detector " + detector + " is damaged: it ends early ("
          + state.length + " bytes); it starts cold", e);
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
          && iae.getMessage().contains("; it starts cold")) {
        throw iae;
      }
      throw new IllegalArgumentException("the snapshot of detector " + detector + " is damaged: " + e
          + "; it starts cold", e);
    }
  }

  /** Writes part of a snapshot. */
  @FunctionalInterface
  interface IoWriter {
    void write(DataOutputStream out) throws IOException;
  }

  /** Reads part of a snapshot. */
  @FunctionalInterface
  interface IoReader<T> {
    T read(DataInputStream in) throws IOException;
  }

  static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available()) {
      throw new IOException("a string of " + n + " bytes where " + in.available() + " remain");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  static void writeInstant(DataOutputStream out, @Nullable Instant t) throws IOException {
    out.writeBoolean(t != null);
    if (t != null) {
      out.writeLong(t.getEpochSecond());
      out.writeInt(t.getNano());
    }
  }

  static @Nullable Instant readInstant(DataInputStream in) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    long s = in.readLong();
    int n = in.readInt();
    if (n < 0 || n > 999_999_999) {
      throw new IOException("an instant with " + n + " nanoseconds");
    }
    return Instant.ofEpochSecond(s, n);
  }

  /** A count read from a snapshot, checked against what the snapshot can hold. */
  static int readCount(DataInputStream in, int max) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > max) {
      throw new IOException("a count of " + n + ", outside 0.." + max);
    }
    return n;
  }
}

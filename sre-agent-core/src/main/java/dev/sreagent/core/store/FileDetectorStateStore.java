package dev.sreagent.core.store;

import dev.sreagent.api.Require;
import dev.sreagent.api.port.DetectorStateStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Detector snapshots in one file (the embedded default: {@code <audit file>.detectors}, next to the audit file). A
 * save writes a temporary file, forces it to disk and renames it over the old one, so a crash leaves the previous
 * snapshot or the new one, never half of one. The file holds one agent's snapshot: {@link #load} for another agent
 * id returns empty (a file shared by two agents would keep the last one's).
 */
public final class FileDetectorStateStore implements DetectorStateStore {
  /** "SRDF". */
  private static final int MAGIC = 0x53524446;
  private final Path file;

  /** Snapshots in {@code file}; its directory is created on the first save when missing. */
  public FileDetectorStateStore(Path file) {
    this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
  }

  /** The file next to {@code auditFile} the agent uses by default: {@code <auditFile>.detectors}. */
  public static FileDetectorStateStore nextTo(Path auditFile) {
    Path f = Objects.requireNonNull(auditFile, "auditFile").toAbsolutePath();
    return new FileDetectorStateStore(f.resolveSibling(f.getFileName() + ".detectors"));
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /**
   * {@inheritDoc}
   *
   * @throws UncheckedIOException when the file cannot be read, or is not a snapshot file (naming it)
   */
  @Override
  public Optional<Saved> load(String agentId) {
    Require.notBlank(agentId, "agentId");
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the detector snapshot file " + file + ": " + e.getMessage(), e);
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (bytes.length < 4 || in.readInt() != MAGIC) {
        throw new IOException("not a detector snapshot file (no magic number); delete it to start cold");
      }
      String owner = in.readUTF();
      Instant takenAt = Instant.ofEpochSecond(in.readLong(), in.readInt());
      byte[] data = in.readAllBytes();
      return owner.equals(agentId) ? Optional.of(new Saved(takenAt, data)) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      throw new UncheckedIOException("the detector snapshot file " + file + " cannot be read: " + e.getMessage(),
          e instanceof IOException io ? io : new IOException(e));
    }
  }

  @Override
  public void save(String agentId, Saved snapshot) {
    Require.notBlank(agentId, "agentId");
    Objects.requireNonNull(snapshot, "snapshot");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(snapshot.data().length + 64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeUTF(agentId);
      out.writeLong(snapshot.takenAt().getEpochSecond());
      out.writeInt(snapshot.takenAt().getNano());
      out.write(snapshot.data());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // not thrown by a byte array
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.createDirectories(file.getParent());
      try (var ch = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes.toByteArray());
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the detector snapshot file " + file + ": " + e, e);
    }
  }

  @Override
  public String toString() {
    return "the file " + file;
  }
}

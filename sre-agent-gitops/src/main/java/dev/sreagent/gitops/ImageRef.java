package dev.sreagent.gitops;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A container image reference split the way Kubernetes reads {@code image:}: {@code [registry/]repository[:tag][@digest]}.
 * Two references {@linkplain #sameImage name the same image} when their repositories agree after Docker Hub's implicit
 * {@code docker.io/} and {@code library/} prefixes are dropped, and the tag and digest they both carry agree.
 *
 * @param repository everything before the tag or digest, as written
 * @param tag the tag, or null
 * @param digest the digest ({@code sha256:...}), or null
 */
record ImageRef(String repository, @Nullable String tag, @Nullable String digest) {
  ImageRef {
    Objects.requireNonNull(repository, "repository");
  }

  /** Parses {@code image}; a colon before the last slash belongs to a registry port, not a tag. */
  static ImageRef parse(String image) {
    String s = image.strip();
    String digest = null;
    int at = s.indexOf('@');
    if (at >= 0) {
      digest = s.substring(at + 1);
      s = s.substring(0, at);
    }
    String tag = null;
    int colon = s.lastIndexOf(':');
    if (colon > s.lastIndexOf('/')) {
      tag = s.substring(colon + 1);
      s = s.substring(0, colon);
    }
    return new ImageRef(s, tag, digest);
  }

  /** The repository without Docker Hub's implicit prefixes. */
  String normalisedRepository() {
    String r = repository;
    for (String prefix : new String[] {"docker.io/", "index.docker.io/", "registry-1.docker.io/"}) {
      if (r.startsWith(prefix)) {
        r = r.substring(prefix.length());
        break;
      }
    }
    return r.startsWith("library/") ? r.substring("library/".length()) : r;
  }

  /** Whether the repositories agree (Docker Hub prefixes aside). */
  boolean sameRepository(ImageRef other) {
    return normalisedRepository().equals(other.normalisedRepository());
  }

  /**
   * Whether both name the same image: the same repository, and the same tag and digest where both carry one (at least
   * one of the two must be compared; {@code cart} alone never matches {@code cart:1.2}).
   */
  boolean sameImage(ImageRef other) {
    if (!sameRepository(other)) {
      return false;
    }
    boolean tags = tag != null && other.tag != null;
    boolean digests = digest != null && other.digest != null;
    if (digests) {
      return digest.equals(other.digest) && (!tags || tag.equals(other.tag));
    }
    return tags && tag.equals(other.tag) && (digest == null) == (other.digest == null);
  }

  @Override
  public String toString() {
    return repository + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
  }
}

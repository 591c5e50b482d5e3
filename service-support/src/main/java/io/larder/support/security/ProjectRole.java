package io.larder.support.security;

import java.util.Locale;

/** What a caller may do in a project; each role includes the ones before it. */
public enum ProjectRole {
  /** Get and list definitions, online features, historical retrieval output. */
  READER,
  /** Apply and delete definitions, ingestion and retrieval jobs. */
  WRITER,
  /** Create and archive projects. */
  ADMIN;

  public boolean includes(ProjectRole needed) {
    return compareTo(needed) >= 0;
  }

  /** As tokens and messages spell it: reader, writer, admin. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** reader, writer or admin, any case. */
  public static ProjectRole parse(String label) {
    try {
      return valueOf(label.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown role '" + label + "': expected reader, writer or admin", e);
    }
  }
}

package io.larder.support.security;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who made a call and their role per project, from the token's roles claim: entries {@code
 * role:project} such as {@code writer:rides}, where project {@code *} stands for every project
 * (platform teams).
 *
 * @param subject the token's {@code sub}, for messages and logs
 * @param roles project (or {@code *}) to role
 */
public record Caller(String subject, Map<String, ProjectRole> roles) {

  public static final String ANY_PROJECT = "*";

  /** Everyone, when authentication is off. */
  public static final Caller ANYONE =
      new Caller("anonymous", Map.of(ANY_PROJECT, ProjectRole.ADMIN));

  /** No role anywhere: a call that did not pass the authentication step. */
  public static final Caller NOBODY = new Caller("unauthenticated", Map.of());

  public Caller {
    roles = Map.copyOf(roles);
  }

  /**
   * The caller a verified token describes.
   *
   * @param claim the roles claim: a list of {@code role:project} strings, or one such string
   * @throws AuthException UNAUTHENTICATED when the claim is not in that form
   */
  public static Caller fromClaim(String subject, Object claim) {
    Map<String, ProjectRole> roles = new LinkedHashMap<>();
    if (claim instanceof String one) {
      add(roles, one);
    } else if (claim instanceof Collection<?> many) {
      for (Object entry : many) {
        add(roles, String.valueOf(entry));
      }
    } else if (claim != null) {
      throw AuthException.unauthenticated(
          "the token's roles claim must be a list of role:project entries");
    }
    return new Caller(subject == null ? "unknown" : subject, roles);
  }

  private static void add(Map<String, ProjectRole> roles, String entry) {
    int colon = entry.indexOf(':');
    if (colon <= 0 || colon == entry.length() - 1) {
      throw AuthException.unauthenticated(
          "the token's roles claim holds '"
              + entry
              + "'; expected role:project, e.g. reader:rides");
    }
    ProjectRole role;
    try {
      role = ProjectRole.parse(entry.substring(0, colon));
    } catch (IllegalArgumentException e) {
      throw AuthException.unauthenticated("the token's roles claim: " + e.getMessage());
    }
    roles.merge(entry.substring(colon + 1).trim(), role, (a, b) -> a.includes(b) ? a : b);
  }

  /** The strongest role the caller holds in the project (its own or the wildcard's), or null. */
  public ProjectRole roleIn(String project) {
    ProjectRole own = roles.get(project);
    ProjectRole any = roles.get(ANY_PROJECT);
    if (own == null) {
      return any;
    }
    return any == null || own.includes(any) ? own : any;
  }

  public boolean may(ProjectRole needed, String project) {
    ProjectRole held = roleIn(project);
    return held != null && held.includes(needed);
  }

  /**
   * Refuses the call unless the caller holds {@code needed} in the project.
   *
   * @param action what the call does, for the message ("apply feature tables")
   * @throws AuthException PERMISSION_DENIED naming the project and the role needed
   */
  public void require(ProjectRole needed, String project, String action) {
    if (!may(needed, project)) {
      ProjectRole held = roleIn(project);
      throw AuthException.permissionDenied(
          "'%s' may not %s in project '%s': that needs the %s role (%s)"
              .formatted(
                  subject,
                  action,
                  project,
                  needed.label(),
                  held == null ? "holds none there" : "holds " + held.label()));
    }
  }
}

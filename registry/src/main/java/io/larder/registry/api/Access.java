package io.larder.registry.api;

import io.larder.registry.Names;
import io.larder.support.security.Caller;
import io.larder.support.security.ProjectRole;
import reactor.core.publisher.Mono;

/**
 * The role each registry call needs, checked the same way for gRPC and HTTP: readers get and list,
 * writers apply and delete, admins create and archive projects; the store configuration and the
 * change feed span every project, so they need the role on every project ({@code *}).
 */
public final class Access {

  private Access() {}

  /** Completes when the caller holds the role in the project (empty: Feast's default). */
  public static Mono<Void> require(Caller caller, ProjectRole role, String project, String action) {
    return Mono.fromRunnable(() -> caller.require(role, Names.project(project), action));
  }

  /** Completes when the caller holds the role in every project. */
  public static Mono<Void> requireEverywhere(Caller caller, ProjectRole role, String action) {
    return Mono.fromRunnable(() -> caller.require(role, Caller.ANY_PROJECT, action));
  }

  /** Whether the caller may see that a project exists (any role in it). */
  public static boolean mayList(Caller caller, String project) {
    return caller.roleIn(project) != null;
  }
}

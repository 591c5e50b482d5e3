package io.larder.gateway.featurespec;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every project's specs at one moment. Immutable: a refresh builds a new snapshot and swaps it in,
 * so a request reads a consistent view without locks.
 */
public final class FeatureSpecSnapshot {

  private static final FeatureSpecSnapshot EMPTY = new FeatureSpecSnapshot(Map.of());

  private final Map<String, ProjectSpec> projects;

  private FeatureSpecSnapshot(Map<String, ProjectSpec> projects) {
    this.projects = projects;
  }

  public static FeatureSpecSnapshot empty() {
    return EMPTY;
  }

  public static FeatureSpecSnapshot of(Collection<ProjectSpec> projects) {
    Map<String, ProjectSpec> byName = new HashMap<>();
    for (ProjectSpec project : projects) {
      byName.put(project.name(), project);
    }
    return new FeatureSpecSnapshot(Map.copyOf(byName));
  }

  /** The named project, or null. */
  public ProjectSpec project(String name) {
    return projects.get(name);
  }

  public Collection<ProjectSpec> projects() {
    return projects.values();
  }

  /** This snapshot with some projects replaced or added and others removed. */
  public FeatureSpecSnapshot with(Collection<ProjectSpec> replaced, Set<String> removed) {
    Map<String, ProjectSpec> next = new HashMap<>(projects);
    next.keySet().removeAll(removed);
    for (ProjectSpec project : replaced) {
      next.put(project.name(), project);
    }
    return new FeatureSpecSnapshot(Map.copyOf(next));
  }

  public int tableCount() {
    int count = 0;
    for (ProjectSpec project : projects.values()) {
      count += project.tableCount();
    }
    return count;
  }

  @Override
  public String toString() {
    return "FeatureSpecSnapshot" + projects.values();
  }
}

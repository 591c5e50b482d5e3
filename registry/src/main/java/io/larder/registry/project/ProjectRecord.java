package io.larder.registry.project;

/** A project as stored. */
public record ProjectRecord(String name, boolean archived) {}

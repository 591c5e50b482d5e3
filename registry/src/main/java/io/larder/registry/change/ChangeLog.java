package io.larder.registry.change;

import io.larder.proto.larder.RegistryExtProto.Change;
import io.larder.proto.larder.RegistryExtProto.Change.Action;
import io.larder.proto.larder.RegistryExtProto.Change.Kind;
import io.larder.registry.Timestamps;
import java.time.Instant;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Records what the write paths changed, for the pollers of the change feed. */
@Component
public class ChangeLog {

  private final ChangeStore store;

  ChangeLog(ChangeStore store) {
    this.store = store;
  }

  public Mono<Void> record(
      String project, Kind kind, String name, Action action, long revision, Instant at) {
    return store.append(
        Change.newBuilder()
            .setProject(project)
            .setKind(kind)
            .setName(name)
            .setAction(action)
            .setRevision(revision)
            .setChangedAt(Timestamps.of(at))
            .build());
  }
}

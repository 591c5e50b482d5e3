package io.larder.orchestrator.run;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Runs reactive tasks one at a time, in submission order: the control loop's passes and the
 * requests that change the same jobs never interleave, without any lock held across I/O.
 */
final class SerialQueue implements Disposable {

  private static final Logger log = LoggerFactory.getLogger(SerialQueue.class);

  private final String name;
  private final Sinks.Many<Mono<?>> tasks = Sinks.many().unicast().onBackpressureBuffer();
  private final AtomicBoolean passQueued = new AtomicBoolean();
  private final Disposable worker;

  SerialQueue(String name) {
    this.name = name;
    this.worker =
        tasks
            .asFlux()
            .concatMap(
                task ->
                    task.onErrorResume(
                        error -> {
                          log.warn("{}: task failed: {}", name, error.toString());
                          return Mono.empty();
                        }),
                1)
            .subscribe();
  }

  /** Runs {@code work} after everything submitted before it; answers what it answers. */
  <T> Mono<T> submit(Supplier<Mono<T>> work) {
    return Mono.create(
        caller -> {
          Mono<T> task =
              Mono.defer(work)
                  .doOnSuccess(caller::success)
                  .doOnError(caller::error)
                  .doOnCancel(() -> caller.error(new IllegalStateException(name + " stopped")));
          emit(task);
        });
  }

  /**
   * Queues one more {@code pass} unless one is already waiting to run: any number of wake-ups
   * between two passes collapse into one.
   */
  void wake(Supplier<Mono<Void>> pass) {
    if (passQueued.compareAndSet(false, true)) {
      emit(Mono.defer(() -> Mono.fromRunnable(() -> passQueued.set(false)).then(pass.get())));
    }
  }

  private synchronized void emit(Mono<?> task) {
    Sinks.EmitResult result = tasks.tryEmitNext(task);
    if (result.isFailure()) {
      log.warn("{}: task not queued ({})", name, result);
    }
  }

  @Override
  public void dispose() {
    tasks.tryEmitComplete();
    worker.dispose();
  }

  @Override
  public boolean isDisposed() {
    return worker.isDisposed();
  }
}

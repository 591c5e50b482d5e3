package io.larder.gateway.api;

import io.larder.gateway.lookup.OnlineAnswer;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Answer encoders by answer shape (the requested {@code table:feature} keys in order): model
 * servers repeat a handful of shapes, so each shape's map keys and status entries are encoded once
 * rather than per request. Bounded: past {@code maxShapes} it starts over rather than grow.
 *
 * @param <E> an encoder that depends on nothing but the shape and is safe to share between threads
 */
public final class EncoderCache<E> {

  private final Function<OnlineAnswer, E> factory;
  private final int maxShapes;
  private final ConcurrentHashMap<List<String>, E> byShape = new ConcurrentHashMap<>();

  public EncoderCache(Function<OnlineAnswer, E> factory, int maxShapes) {
    this.factory = factory;
    this.maxShapes = maxShapes;
  }

  /** The encoder for this answer's shape, made on first use. */
  public E forShape(OnlineAnswer answer) {
    List<String> shape = answer.references();
    E cached = byShape.get(shape);
    if (cached != null) {
      return cached;
    }
    E created = factory.apply(answer);
    if (byShape.size() >= maxShapes) {
      byShape.clear();
    }
    byShape.putIfAbsent(List.copyOf(shape), created);
    return created;
  }

  int size() {
    return byShape.size();
  }
}

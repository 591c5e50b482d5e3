package io.larder.gateway.lookup;

import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The online store as the lookup sees it: a batch of hash and string reads answered together. An
 * implementation issues every read of a batch before it awaits the first reply (pipelining), and
 * fails fast with {@link OnlineStoreUnavailableException} when the store cannot answer.
 */
public interface OnlineStore {

  /**
   * @param reads the hashes and fields, and the strings, to read
   * @return per read, in order: a hash read's field values in order, a string read's one value
   *     (null where absent)
   */
  Mono<List<List<byte[]>>> read(List<? extends StoreRead> reads);
}

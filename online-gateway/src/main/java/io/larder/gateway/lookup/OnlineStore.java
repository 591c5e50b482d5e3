package io.larder.gateway.lookup;

import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The online store as the lookup sees it: a batch of hash reads answered together. An
 * implementation issues every read of a batch before it awaits the first reply (pipelining), and
 * fails fast with {@link OnlineStoreUnavailableException} when the store cannot answer.
 */
public interface OnlineStore {

  /**
   * @param reads the hashes and fields to read
   * @return per read, in order, the values of its fields in order (null where absent)
   */
  Mono<List<List<byte[]>>> read(List<HashRead> reads);
}

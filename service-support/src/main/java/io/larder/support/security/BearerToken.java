package io.larder.support.security;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/**
 * A service's own token on its calls to another (the gateway's and the orchestrator's to the
 * registry): {@code authorization: Bearer <token>} on every call, or nothing when no token is set.
 */
public final class BearerToken {

  private BearerToken() {}

  /** The interceptor for a channel; a no-op for a null or blank token. */
  public static ClientInterceptor attaching(String token) {
    if (token == null || token.isBlank()) {
      return new ClientInterceptor() {
        @Override
        public <Q, A> ClientCall<Q, A> interceptCall(
            MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
          return next.newCall(method, options);
        }
      };
    }
    String value = "Bearer " + token.trim();
    return new ClientInterceptor() {
      @Override
      public <Q, A> ClientCall<Q, A> interceptCall(
          MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(
            next.newCall(method, options)) {
          @Override
          public void start(Listener<A> listener, Metadata headers) {
            headers.put(GrpcAuthentication.AUTHORIZATION, value);
            super.start(listener, headers);
          }
        };
      }
    };
  }
}

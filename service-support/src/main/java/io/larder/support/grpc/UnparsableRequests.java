package io.larder.support.grpc;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;

/**
 * Request bytes that do not parse answer INVALID_ARGUMENT naming the message, as Feast 0.9 does,
 * not gRPC's UNKNOWN "Application error processing RPC". The request marshaller notes the failure
 * (gRPC parses a request and hands it to the call's listener on the same thread, one right after
 * the other) and an outermost listener closes the call with it instead of passing the message on.
 */
final class UnparsableRequests {

  private static final ThreadLocal<Status> FAILED = new ThreadLocal<>();

  private UnparsableRequests() {}

  /** The service with its requests parsed this way; everything else as it was. */
  static ServerServiceDefinition refuse(ServerServiceDefinition service) {
    ServiceDescriptor old = service.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(old.getName()).setSchemaDescriptor(old.getSchemaDescriptor());
    java.util.List<ServerMethodDefinition<?, ?>> methods = new java.util.ArrayList<>();
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      ServerMethodDefinition<?, ?> wrapped = tolerant(method);
      descriptor.addMethod(wrapped.getMethodDescriptor());
      methods.add(wrapped);
    }
    ServerServiceDefinition.Builder rebuilt = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(rebuilt::addMethod);
    return ServerInterceptors.intercept(rebuilt.build(), new RefuseUnparsed());
  }

  private static <ReqT, RespT> ServerMethodDefinition<ReqT, RespT> tolerant(
      ServerMethodDefinition<ReqT, RespT> method) {
    MethodDescriptor<ReqT, RespT> descriptor = method.getMethodDescriptor();
    if (!(descriptor.getRequestMarshaller()
        instanceof MethodDescriptor.PrototypeMarshaller<ReqT> requests)) {
      return method;
    }
    MethodDescriptor<ReqT, RespT> wrapped =
        descriptor.toBuilder(new TolerantMarshaller<>(requests), descriptor.getResponseMarshaller())
            .build();
    return ServerMethodDefinition.create(wrapped, method.getServerCallHandler());
  }

  /** Parses as the delegate does; a failure is noted and the empty prototype handed on. */
  private record TolerantMarshaller<T>(MethodDescriptor.PrototypeMarshaller<T> delegate)
      implements MethodDescriptor.PrototypeMarshaller<T> {

    @Override
    public InputStream stream(T value) {
      return delegate.stream(value);
    }

    @Override
    public T parse(InputStream stream) {
      try {
        return delegate.parse(stream);
      } catch (RuntimeException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        FAILED.set(
            Status.INVALID_ARGUMENT
                .withDescription(
                    "request is not a valid %s: %s".formatted(messageName(), cause.getMessage()))
                .withCause(e));
        return delegate.getMessagePrototype();
      }
    }

    @Override
    public T getMessagePrototype() {
      return delegate.getMessagePrototype();
    }

    @Override
    public Class<T> getMessageClass() {
      return delegate.getMessageClass();
    }

    private String messageName() {
      T prototype = delegate.getMessagePrototype();
      return prototype instanceof com.google.protobuf.Message message
          ? message.getDescriptorForType().getFullName()
          : String.valueOf(delegate.getMessageClass().getSimpleName());
    }
  }

  private static final class RefuseUnparsed implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
        private boolean refused;

        @Override
        public void onMessage(ReqT message) {
          Status failed = FAILED.get();
          if (failed != null) {
            FAILED.remove();
            if (!refused) {
              refused = true;
              call.close(failed, new Metadata());
            }
            return;
          }
          if (!refused) {
            super.onMessage(message);
          }
        }

        @Override
        public void onHalfClose() {
          if (!refused) {
            super.onHalfClose();
          }
        }

        @Override
        public void onReady() {
          if (!refused) {
            super.onReady();
          }
        }
      };
    }
  }
}

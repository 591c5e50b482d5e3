package io.larder.support.security;

import java.nio.charset.StandardCharsets;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import reactor.core.publisher.Mono;

/**
 * Authentication for every service, off unless {@code larder.security.enabled=true}: the gRPC
 * interceptor and, for the HTTP edge, Spring Security's reactive resource server with the same
 * checks. Health probes always answer; Prometheus metrics unless open-metrics=false.
 */
@AutoConfiguration
@EnableConfigurationProperties(SecurityProperties.class)
public class LarderSecurityAutoConfiguration {

  @Bean
  GrpcAuthentication grpcAuthentication(SecurityProperties properties) {
    return properties.enabled()
        ? GrpcAuthentication.verifying(new TokenVerifier(properties))
        : GrpcAuthentication.off();
  }

  @Bean
  HttpCallers httpCallers(SecurityProperties properties) {
    return new HttpCallers(properties.enabled() ? new TokenVerifier(properties) : null);
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(SecurityWebFilterChain.class)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @EnableWebFluxSecurity
  static class HttpSecurity {

    @Bean
    SecurityWebFilterChain larderSecurity(ServerHttpSecurity http, SecurityProperties properties) {
      // Tokens, not sessions or forms: no CSRF (no cookies to ride on), no login page.
      http.csrf(ServerHttpSecurity.CsrfSpec::disable)
          .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
          .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
          .logout(ServerHttpSecurity.LogoutSpec::disable)
          .requestCache(ServerHttpSecurity.RequestCacheSpec::disable);
      if (!properties.enabled()) {
        return http.authorizeExchange(any -> any.anyExchange().permitAll()).build();
      }
      return http.authorizeExchange(
              exchanges -> {
                exchanges.pathMatchers("/actuator/health", "/actuator/health/**").permitAll();
                if (properties.openMetrics()) {
                  exchanges.pathMatchers("/actuator/prometheus").permitAll();
                }
                exchanges.anyExchange().authenticated();
              })
          .oauth2ResourceServer(
              server ->
                  server
                      .jwt(jwt -> jwt.jwtDecoder(TokenVerifier.reactiveDecoder(properties)))
                      .authenticationEntryPoint(UNAUTHENTICATED))
          .exceptionHandling(handling -> handling.authenticationEntryPoint(UNAUTHENTICATED))
          .build();
    }
  }

  /** 401 with a problem body saying what is wrong (never echoing the token). */
  static final ServerAuthenticationEntryPoint UNAUTHENTICATED =
      (exchange, refused) -> {
        boolean sent = exchange.getRequest().getHeaders().getFirst("Authorization") != null;
        String detail =
            sent
                ? "token rejected: " + refused.getMessage()
                : "no token: send 'Authorization: Bearer <JWT>' (larder token mints one for"
                    + " development)";
        var response = exchange.getResponse();
        response.setStatusCode(HttpStatus.UNAUTHORIZED);
        response.getHeaders().set("WWW-Authenticate", "Bearer");
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        String body =
            "{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,\"code\":"
                + "\"UNAUTHENTICATED\",\"detail\":"
                + quote(detail)
                + "}";
        DataBuffer buffer = response.bufferFactory().wrap(body.getBytes(StandardCharsets.UTF_8));
        return response.writeWith(Mono.just(buffer));
      };

  private static String quote(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        default -> {
          if (c < 0x20) {
            quoted.append(String.format("\\u%04x", (int) c));
          } else {
            quoted.append(c);
          }
        }
      }
    }
    return quoted.append('"').toString();
  }
}

package io.larder.support.security;

import io.larder.support.http.ProblemBodies;
import java.util.List;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.WebFilterChainProxy;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
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

  /**
   * Authentication off: no Spring Security on the request path at all. Without a chain proxy of our
   * own Spring Boot would install its default one (a login for everything); and any chain, even one
   * matching no request, runs the firewall's header checks (regular expressions on every header
   * read) and an observation per request: measured as ~5 % of the gateway's CPU on a JSON lookup.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(SecurityWebFilterChain.class)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @ConditionalOnProperty(
      prefix = "larder.security",
      name = "enabled",
      havingValue = "false",
      matchIfMissing = true)
  static class NoHttpSecurity {

    @Bean
    WebFilterChainProxy passThroughSecurity() {
      return new PassThrough();
    }

    /** Hands every exchange straight on. */
    static final class PassThrough extends WebFilterChainProxy {

      PassThrough() {
        super(List.of());
      }

      @Override
      public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        return chain.filter(exchange);
      }
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(SecurityWebFilterChain.class)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @ConditionalOnProperty(prefix = "larder.security", name = "enabled", havingValue = "true")
  @EnableWebFluxSecurity
  static class HttpSecurity {

    @Bean
    SecurityWebFilterChain larderSecurity(ServerHttpSecurity http, SecurityProperties properties) {
      // Tokens, not sessions or forms: no CSRF (no cookies to ride on), no login page, and no
      // security context kept between requests (each carries its token).
      http.csrf(ServerHttpSecurity.CsrfSpec::disable)
          .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
          .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
          .logout(ServerHttpSecurity.LogoutSpec::disable)
          .requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
          .securityContextRepository(NoOpServerSecurityContextRepository.getInstance());
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
        response.getHeaders().set("WWW-Authenticate", "Bearer");
        return ProblemBodies.write(
            response, HttpStatus.UNAUTHORIZED, "Unauthorized", "UNAUTHENTICATED", detail);
      };
}

package io.larder.registry.console;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.util.matcher.AndServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.NegatedServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;

/**
 * With authentication on, the console's own files load without a token (the page is where the user
 * pastes one); its API calls, {@code /console/api/**} included, stay behind the services' chain.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "larder.security", name = "enabled", havingValue = "true")
class ConsoleSecurity {

  /** Ahead of service-support's chain, which requires a token for everything else. */
  @Bean
  @Order(Ordered.HIGHEST_PRECEDENCE)
  SecurityWebFilterChain consoleFiles(ServerHttpSecurity http) {
    return http.securityMatcher(
            new AndServerWebExchangeMatcher(
                ServerWebExchangeMatchers.pathMatchers(
                    HttpMethod.GET, "/console", "/console/", "/console/**"),
                new NegatedServerWebExchangeMatcher(
                    ServerWebExchangeMatchers.pathMatchers("/console/api/**"))))
        .csrf(ServerHttpSecurity.CsrfSpec::disable)
        .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
        .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
        .logout(ServerHttpSecurity.LogoutSpec::disable)
        .requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
        .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
        .authorizeExchange(exchanges -> exchanges.anyExchange().permitAll())
        .build();
  }
}

package io.larder.registry.console;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the web console's calls to the other services go ({@code larder.registry.console.*}): the
 * registry forwards them, so the browser talks to one origin.
 *
 * @param orchestratorUrl the job service's HTTP base URL, e.g. {@code http://127.0.0.1:8082} (env
 *     {@code LARDER_CONSOLE_ORCHESTRATOR_URL}); unset: the console's job pages say so
 * @param gatewayUrl the online gateway's HTTP base URL, e.g. {@code http://127.0.0.1:8081} (env
 *     {@code LARDER_CONSOLE_GATEWAY_URL}); unset: the try-it panel says so
 * @param connectTimeout how long a connection to either may take
 * @param responseTimeout how long either may take to start answering, and between reads after
 */
@ConfigurationProperties("larder.registry.console")
record ConsoleProperties(
    String orchestratorUrl,
    String gatewayUrl,
    @DefaultValue("2s") Duration connectTimeout,
    @DefaultValue("30s") Duration responseTimeout) {}

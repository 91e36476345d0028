package io.swaggersocket.sample.legacy;

import java.nio.charset.StandardCharsets;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A service that is not a Spring application, as a device's web UI or an old service on
 * an agent's LAN would be: a plain Reactor Netty HTTP server on a free loopback port. It
 * answers {@code GET /hello} with what it saw, so that the README tour shows what the
 * agent's route made of the request; anything else is 404.
 */
public final class LegacyService {

	private static final Log logger = LogFactory.getLog(LegacyService.class);

	private final String owner;

	private final DisposableServer server;

	private LegacyService(String owner) {
		this.owner = owner;
		this.server = HttpServer.create().host("127.0.0.1").port(0).handle(this::handle).bindNow();
		logger.info("Legacy service next to " + owner + " listening on " + baseUri());
	}

	/**
	 * Start a service on a free loopback port.
	 * @param owner the name of the agent it stands next to
	 * @return the running service
	 */
	public static LegacyService start(String owner) {
		return new LegacyService(owner);
	}

	/**
	 * Return the URI the agent's route forwards to.
	 * @return {@code http://127.0.0.1:{port}}
	 */
	public String baseUri() {
		return "http://127.0.0.1:" + this.server.port();
	}

	/**
	 * Stop the service (with the agent it stands next to).
	 */
	public void stop() {
		this.server.disposeNow();
	}

	private Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		String uri = request.uri();
		String path = (uri.indexOf('?') >= 0) ? uri.substring(0, uri.indexOf('?')) : uri;
		if (!path.equals("/hello")) {
			return send(response.status(HttpResponseStatus.NOT_FOUND), "legacy service: no " + path + "\n");
		}
		String prefix = request.requestHeaders().get("X-Forwarded-Prefix");
		return send(response, "Hello from the legacy service next to " + this.owner + ": " + request.method() + " "
				+ uri + " (X-Forwarded-Prefix: " + prefix + ")\n");
	}

	private static Mono<Void> send(HttpServerResponse response, String text) {
		byte[] body = text.getBytes(StandardCharsets.UTF_8);
		return response.header(HttpHeaderNames.CONTENT_TYPE, "text/plain;charset=UTF-8")
			.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length))
			.sendByteArray(Mono.just(body))
			.then();
	}

}

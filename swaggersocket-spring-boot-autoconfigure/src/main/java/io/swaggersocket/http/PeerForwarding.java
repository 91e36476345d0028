package io.swaggersocket.http;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.swaggersocket.cluster.ClusterForwarder;
import io.swaggersocket.connection.StreamMessage;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnectionClosedException;
import io.swaggersocket.connection.SwaggerSocketHeadersTooLargeException;
import io.swaggersocket.connection.SwaggerSocketStreamResetException;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Header;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.NettyOutbound;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * What the gateway and the cluster endpoint share: turning an HTTP request for
 * {@code {prefix}/{connectionId}/**} into a call to the peer, and relaying an answer (the
 * peer's, or another hub's) into the HTTP response with its content-length enforced and a
 * body cut short never ending like a complete one.
 */
final class PeerForwarding {

	private static final Log logger = LogFactory.getLog(PeerForwarding.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private PeerForwarding() {
	}

	/**
	 * A request's connection id and the raw path and query the peer is to see.
	 *
	 * @param id the connection id, empty if the path has none
	 * @param target the path after the id (at least {@code /}) and the query
	 */
	record Target(String id, String target) {

		/**
		 * Split the path of a request to {@code {prefix}/{connectionId}/**}.
		 */
		static Target of(ServerHttpRequest request, String prefix) {
			String path = request.getPath().pathWithinApplication().value();
			String rest = path.substring(Math.min(path.length(), prefix.length() + 1));
			int slash = rest.indexOf('/');
			String id = (slash < 0) ? rest : rest.substring(0, slash);
			String remainder = (slash < 0) ? "/" : rest.substring(slash);
			URI uri = request.getURI();
			String rawRemainder = remainderOf(uri.getRawPath(), prefix + "/" + id);
			String target = ((rawRemainder != null) ? rawRemainder : remainder)
					+ ((uri.getRawQuery() != null) ? "?" + uri.getRawQuery() : "");
			return new Target(id, target);
		}

		private static @Nullable String remainderOf(String rawPath, String head) {
			int at = rawPath.indexOf(head);
			if (at < 0) {
				return null;
			}
			String remainder = rawPath.substring(at + head.length());
			return remainder.isEmpty() ? "/" : remainder;
		}

	}

	/**
	 * Call the peer over its connection and relay its answer.
	 * @param exchange the HTTP exchange to answer
	 * @param connection the peer's live connection
	 * @param target where on the peer
	 * @param headers the request's headers as the peer is to see them (hop-by-hop ones
	 * are dropped on the way)
	 */
	static Mono<Void> toConnection(ServerWebExchange exchange, SwaggerSocketConnection connection, Target target,
			HttpHeaders headers) {
		ServerHttpRequest request = exchange.getRequest();
		String id = target.id();
		List<Header> wire = HeaderMapping.toWire(List.of(new Header(Header.METHOD, request.getMethod().name()),
				new Header(Header.PATH, target.target())), headers);
		ServerHttpResponse response = exchange.getResponse();
		return connection.exchange(wire, body(request))
			.flatMap((message) -> relay(Header.status(message.headers()), HeaderMapping.fromWire(message.headers()),
					message.body(), () -> discard(message), request.getMethod(), response))
			.onErrorResume((ex) -> response.isCommitted(), (ex) -> abort(response, id, ex))
			.onErrorResume((ex) -> ex instanceof SwaggerSocketHeadersTooLargeException,
					(ex) -> problem(exchange, HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
							"The request cannot be sent to connection '" + id + "': " + ex.getMessage()))
			.onErrorResume((ex) -> !response.isCommitted() && isTransportFailure(ex), (ex) -> {
				logger.debug("Gateway call to " + id + " failed", ex);
				return problem(exchange, HttpStatus.BAD_GATEWAY,
						"The call to connection '" + id + "' failed: " + ex.getMessage());
			});
	}

	/**
	 * A request without Content-Length and Transfer-Encoding has no body (RFC 9112
	 * section 6.3): an empty body lets the stream's HEADERS carry END_STREAM rather than
	 * wait for the inbound one.
	 */
	static Publisher<DataBuffer> body(ServerHttpRequest request) {
		return isBodiless(request) ? Flux.empty() : request.getBody();
	}

	/**
	 * A gateway request's body that records, once subscribed to, that it was taken: a
	 * body can be read once, so a call goes again only if its body was never taken.
	 */
	static Flux<DataBuffer> bodyReadOnce(ServerHttpRequest request, AtomicBoolean taken) {
		return Flux.defer(() -> {
			taken.set(true);
			return request.getBody();
		});
	}

	static boolean isBodiless(ServerHttpRequest request) {
		HttpHeaders headers = request.getHeaders();
		return headers.getContentLength() <= 0 && !headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
	}

	/**
	 * Write a gateway request into the request of a hop on its way (to another hub, or a
	 * stream to a peer): its end-to-end headers, less the expectation that this server
	 * met for its caller, and its body.
	 * @param request the gateway request
	 * @param headers its headers as the peer is to see them
	 * @param body its body, read once
	 * @return the writer of the hop's request
	 */
	static Function<ClientHttpRequest, Mono<Void>> writer(ServerHttpRequest request, HttpHeaders headers,
			Publisher<DataBuffer> body) {
		boolean bodiless = isBodiless(request);
		return (hop) -> {
			// the gateway's own copy of the request's fields, written straight into the
			// hop's: no copy in between on every call
			HeaderMapping.addWithoutHopByHop(hop.getHeaders(), headers);
			hop.getHeaders().remove(HttpHeaders.EXPECT);
			return bodiless ? hop.setComplete() : hop.writeWith(body);
		};
	}

	/**
	 * Relay an HTTP answer (another hub's, or a peer's through a connector) into the
	 * response.
	 * @param answer the answer
	 * @param method the request's method
	 * @param response the response to write
	 */
	static Mono<Void> relay(ClientHttpResponse answer, HttpMethod method, ServerHttpResponse response) {
		// an answer read from a stream holds fields of its own, already without
		// hop-by-hop ones: relayed without another copy
		HttpHeaders headers = (answer instanceof SocketClientHttpResponse) ? answer.getHeaders()
				: HeaderMapping.withoutHopByHop(answer.getHeaders());
		return relay(answer.getStatusCode().value(), headers, answer.getBody(), () -> discard(answer), method,
				response);
	}

	/**
	 * Cancel an answer's body that is not relayed: its connection is closed (or its
	 * stream reset) rather than read to the end.
	 */
	static void discard(ClientHttpResponse answer) {
		answer.getBody().onErrorComplete().subscribe(DataBufferUtils::release).dispose();
	}

	/**
	 * Relay an answer into the response.
	 * @param status the answer's status
	 * @param headers its end-to-end headers
	 * @param answerBody its body
	 * @param discard cancels or drains a body that is not relayed
	 * @param method the request's method
	 * @param response the response to write
	 */
	static Mono<Void> relay(int status, HttpHeaders headers, Flux<DataBuffer> answerBody, Runnable discard,
			HttpMethod method, ServerHttpResponse response) {
		// only hubs may say what a hub said
		ClusterForwarder.removeClusterHeaders(headers);
		// these answers have no body in HTTP/1.1, whatever the peer sends: none is
		// relayed
		boolean bodyless = HttpMethod.HEAD.equals(method) || status == 204 || status == 304;
		Flux<DataBuffer> body = bodyless ? Flux.empty() : answerBody;
		List<String> contentLength = headers.get(HttpHeaders.CONTENT_LENGTH);
		if (contentLength != null) {
			long declared = contentLength(contentLength);
			if (declared < 0) {
				discard.run();
				return Mono.error(new SwaggerSocketStreamResetException(ErrorCode.PROTOCOL_ERROR,
						"The peer answered with an invalid content-length"));
			}
			if (status == 204) {
				headers.remove(HttpHeaders.CONTENT_LENGTH);
			}
			else {
				// one field, one number: a list of equal values ("5, 5") is valid but
				// makes strict clients and proxies suspect smuggling
				headers.setContentLength(declared);
				if (!bodyless) {
					body = exactly(body, declared);
				}
			}
		}
		if (bodyless) {
			discard.run();
		}
		HttpHeaders before = new HttpHeaders();
		before.addAll(response.getHeaders());
		response.setStatusCode(HttpStatusCode.valueOf(status));
		response.getHeaders().addAll(headers);
		return response.writeWith(body).doOnError((ex) -> {
			if (!response.isCommitted()) {
				// nothing of the peer's answer (its content-length, say) may frame the
				// 502 instead
				response.getHeaders().clear();
				response.getHeaders().addAll(before);
			}
		});
	}

	/**
	 * The body, failing instead of delivering a byte past {@code declared}, and failing
	 * if it ends short of it: the peer's {@code content-length} frames the HTTP/1.1
	 * response, so bytes that disagree with it must never reach the client as if they did
	 * not.
	 */
	private static Flux<DataBuffer> exactly(Flux<DataBuffer> body, long declared) {
		return Flux.defer(() -> {
			AtomicLong relayed = new AtomicLong();
			AtomicBoolean rejected = new AtomicBoolean();
			Mono<DataBuffer> complete = Mono
				.defer(() -> (relayed.get() < declared) ? Mono.error(lengthMismatch("The peer ended the body after "
						+ relayed.get() + " of the " + declared + " bytes of its content-length")) : Mono.empty());
			// once rejected, the stream's own reset comes back as an error nobody waits
			// for
			return body.onErrorResume((ex) -> rejected.get(), (ex) -> Flux.empty())
				.<DataBuffer>handle((buffer, sink) -> {
					if (relayed.addAndGet(buffer.readableByteCount()) > declared) {
						rejected.set(true);
						DataBufferUtils.release(buffer);
						sink.error(lengthMismatch(
								"The peer sent more body than its content-length of " + declared + " bytes"));
						return;
					}
					sink.next(buffer);
				})
				.concatWith(complete);
		});
	}

	private static SwaggerSocketStreamResetException lengthMismatch(String detail) {
		return new SwaggerSocketStreamResetException(ErrorCode.PROTOCOL_ERROR, detail);
	}

	/**
	 * The one length all values agree on (RFC 9110 section 8.6), or -1 if there is none.
	 */
	private static long contentLength(List<String> values) {
		long length = -1;
		for (String value : values) {
			for (String element : value.split(",", -1)) {
				String digits = element.trim();
				if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) {
					return -1;
				}
				long parsed = Long.parseLong(digits);
				if (length >= 0 && parsed != length) {
					return -1;
				}
				length = parsed;
			}
		}
		return length;
	}

	/**
	 * Cancel a body the gateway will not relay: the peer's stream is reset rather than
	 * left open.
	 */
	private static void discard(StreamMessage message) {
		// the reset that the cancel causes comes back as an error: it is the expected end
		// here
		message.body().onErrorComplete().subscribe(DataBufferUtils::release).dispose();
	}

	/**
	 * End a response whose head is already out, because its body cannot be completed (the
	 * stream ended without END_STREAM): the client must see it cut off, never a complete
	 * response. Not by letting the error reach the server: Spring's
	 * {@code HttpWebHandlerAdapter} takes errors whose message mentions a "connection
	 * reset" or a "broken pipe" (as one of the agent's transport does) for the client's
	 * own disconnect and completes the response normally, with the terminating chunk. So
	 * the gateway flushes what was written and closes the client's connection itself, and
	 * completes only once it is closed, so that nothing else can follow.
	 */
	static Mono<Void> abort(ServerHttpResponse response, String id, Throwable ex) {
		logger.debug("Gateway response from connection " + id + " cut off: " + ex);
		Object nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
		if (nativeResponse instanceof NettyOutbound outbound) {
			// what was written goes out first (as Reactor Netty aborts a response); then
			// the close
			return Mono.create((sink) -> outbound.withConnection((connection) -> {
				Channel channel = connection.channel();
				channel.writeAndFlush(Unpooled.EMPTY_BUFFER)
					.addListener((flushed) -> channel.close().addListener((closed) -> sink.success()));
			}));
		}
		// another server: an error it cannot take for the client's disconnect makes it
		// abort
		return Mono.error(new IllegalStateException("The response from connection '" + id
				+ "' ended before its body was complete; the client connection must be aborted"));
	}

	private static boolean isTransportFailure(Throwable ex) {
		return ex instanceof SwaggerSocketConnectionClosedException || ex instanceof SwaggerSocketStreamResetException;
	}

	/**
	 * Answer with an RFC 9457 problem detail.
	 */
	static Mono<Void> problem(ServerWebExchange exchange, HttpStatus status, String detail) {
		return problem(exchange, status, status.getReasonPhrase(), detail);
	}

	/**
	 * Answer with an RFC 9457 problem detail of any status, a peer's say.
	 */
	static Mono<Void> problem(ServerWebExchange exchange, HttpStatusCode status, String title, String detail) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", "about:blank");
		body.put("title", title);
		body.put("status", status.value());
		body.put("detail", detail);
		body.put("instance", exchange.getRequest().getPath().value());
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(status);
		response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(JSON.writeValueAsBytes(body))));
	}

}

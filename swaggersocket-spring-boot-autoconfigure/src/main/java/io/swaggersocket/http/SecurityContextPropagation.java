package io.swaggersocket.http;

import java.security.Principal;
import java.util.function.Function;

import reactor.util.context.Context;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.util.ClassUtils;

/**
 * Makes the connection's principal the security context of requests dispatched from it,
 * when Spring Security is present: its WebFilters keep a security context already in the
 * Reactor context, so {@code authorizeExchange} rules and method security see the
 * connection's identity, not an anonymous one.
 */
final class SecurityContextPropagation {

	private static final boolean PRESENT = ClassUtils.isPresent(
			"org.springframework.security.core.context.ReactiveSecurityContextHolder",
			SecurityContextPropagation.class.getClassLoader());

	private SecurityContextPropagation() {
	}

	static Function<Context, Context> of(Principal principal) {
		return PRESENT ? Spring.withAuthentication(principal) : Function.identity();
	}

	/** Isolates the references to Spring Security, which may be absent. */
	private static final class Spring {

		static Function<Context, Context> withAuthentication(Principal principal) {
			if (!(principal instanceof Authentication authentication)) {
				return Function.identity();
			}
			Context context = ReactiveSecurityContextHolder.withAuthentication(authentication);
			return (existing) -> existing.putAll(context.readOnly());
		}

	}

}

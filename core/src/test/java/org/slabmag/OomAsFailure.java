package org.slabmag;

import java.lang.reflect.Method;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * JUnit treats every {@link OutOfMemoryError} as unrecoverable and aborts the whole run; an
 * unexpected {@link SlabOutOfMemoryError} is just a failed test, so it is reported as one.
 */
public final class OomAsFailure implements InvocationInterceptor {
    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> context,
                                    ExtensionContext extensionContext) throws Throwable {
        run(invocation);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> context,
                                            ExtensionContext extensionContext) throws Throwable {
        run(invocation);
    }

    private static void run(Invocation<Void> invocation) throws Throwable {
        try {
            invocation.proceed();
        } catch (SlabOutOfMemoryError e) {
            throw new AssertionError("unexpected " + e, e);
        }
    }
}

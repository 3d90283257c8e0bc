package org.slabmag.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A released buffer never reaches native memory (issue 14): before the fix, with Netty's
 * {@code -Dio.netty.buffer.checkAccessible=false} a read of a released buffer dereferenced address 0 and
 * crashed the JVM. Netty reads the property once, in a class initializer, so each setting runs
 * {@link ReleasedBufferProbe} in its own child JVM.
 */
class ReleasedBufferAccessTest {
    @ParameterizedTest
    @ValueSource(strings = {"", "-Dio.netty.buffer.checkAccessible=false",
        "-Dio.netty.buffer.checkAccessible=false -Dio.netty.buffer.checkBounds=false"})
    void everyAccessToAReleasedBufferThrows(String properties) throws Exception {
        List<String> jvmArgs = properties.isEmpty() ? List.of() : List.of(properties.split(" "));
        ChildJvm.Result r = ChildJvm.run(ReleasedBufferProbe.class, jvmArgs);
        assertFalse(r.crashed(), () -> "the JVM crashed:\n" + r.output());
        assertEquals(0, r.exitCode(), r::output);
        assertTrue(r.output().contains("probe ok "), r::output);
    }
}

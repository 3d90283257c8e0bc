package org.slabmag;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.slabmag.internal.memory.NativeMemory;

/** Agrona 2.x needs {@code --add-opens java.base/jdk.internal.misc=ALL-UNNAMED}; without it, a clear error. */
class AddOpensTest {
    static final String FLAG = "--add-opens java.base/jdk.internal.misc=ALL-UNNAMED";

    record Result(int exit, String output) {
    }

    static Result runChild(boolean addOpens) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (addOpens) {
            cmd.add("--add-opens");
            cmd.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        }
        cmd.add("-Xmx64m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(AddOpensProbe.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // nothing from the environment may add the flag behind the test's back
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        File out = Files.createTempFile("slabmag-child", ".txt").toFile();
        try {
            pb.redirectOutput(out);
            Process p = pb.start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM hung");
            return new Result(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8));
        } finally {
            out.delete();
        }
    }

    @Test
    void withoutTheFlagCreateFailsNamingIt() throws Exception {
        Result r = runChild(false);
        assertNotEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("java.lang.IllegalStateException"), r.output());
        assertTrue(r.output().contains("first attempt: slabmag cannot reach native memory: start the JVM with " + FLAG),
            "the message names the missing flag: " + r.output());
        assertTrue(r.output().contains("Exception in thread \"main\" java.lang.IllegalStateException: "
                + "slabmag cannot reach native memory: start the JVM with " + FLAG),
            "and names it again on the next attempt: " + r.output());
        assertFalse(r.output().contains("allocator works"), r.output());
    }

    @Test
    void withTheFlagTheSameChildWorks() throws Exception {
        Result r = runChild(true);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("allocator works"), r.output());
    }

    @Test
    void theFlagIsPublishedVerbatim() {
        assertEquals(FLAG, NativeMemory.ADD_OPENS);
        assertDoesNotThrow(NativeMemory::ensureAccessible, "surefire passes the flag to this JVM");
    }
}

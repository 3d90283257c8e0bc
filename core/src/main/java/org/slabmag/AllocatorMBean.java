package org.slabmag;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.StandardMBean;

/**
 * The {@link SlabAllocatorMXBean} of one allocator, and its registration in the platform MBean server.
 *
 * <p>Names: an explicit name is registered as given, and a failure (name taken, security) fails
 * {@link SlabAllocatorBuilder#build()}. Without one the name is {@code slabmag-N}, N counting up per JVM and skipping
 * names already registered; a failure then is logged ({@link System.Logger}, WARNING) and the allocator works
 * without an MBean.
 *
 * <p>The MBean server holds this object, and so the allocator, until {@link #unregister()}; thread-safe.
 */
final class AllocatorMBean implements SlabAllocatorMXBean {
    static final String DOMAIN = "org.slabmag";
    private static final String TYPE_PREFIX = DOMAIN + ":type=SlabAllocator,name=";
    private static final AtomicInteger NEXT_DEFAULT = new AtomicInteger(1);

    private final SlabAllocator allocator;
    private final String name;
    private final ObjectName objectName;

    private AllocatorMBean(SlabAllocator allocator, String name, ObjectName objectName) {
        this.allocator = allocator;
        this.name = name;
        this.objectName = objectName;
    }

    /**
     * The ObjectName for {@code name}.
     *
     * @throws IllegalArgumentException if {@code name} is null, empty, or has a character an unquoted ObjectName
     *                                  value cannot hold ({@code , = : " * ?} or a line break)
     */
    static ObjectName objectName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("JMX name must be a non-empty string: " + (name == null ? "null" : "\"\""));
        }
        for (int i = 0; i < name.length(); i++) {
            if (",=:\"*?\n\r".indexOf(name.charAt(i)) >= 0) {
                throw new IllegalArgumentException("JMX name must not contain any of , = : \" * ? or a line break: \""
                    + name + "\"");
            }
        }
        try {
            return new ObjectName(TYPE_PREFIX + name);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("JMX name is not a valid ObjectName value: \"" + name + "\"", e);
        }
    }

    /**
     * Registers an MBean for {@code allocator}.
     *
     * @param explicitName the name the user chose, or null for {@code slabmag-N}
     * @return the registered MBean, or null if registration under a default name failed
     * @throws IllegalStateException if {@code explicitName} could not be registered (taken, or refused)
     */
    static AllocatorMBean register(SlabAllocator allocator, String explicitName) {
        MBeanServer server;
        try {
            server = ManagementFactory.getPlatformMBeanServer();
        } catch (RuntimeException | Error e) {
            if (explicitName != null) {
                throw new IllegalStateException("cannot register JMX name \"" + explicitName
                    + "\": no platform MBean server", e);
            }
            warn("no platform MBean server; this SlabAllocator has no MBean", e);
            return null;
        }
        if (explicitName != null) {
            ObjectName on = objectName(explicitName);
            AllocatorMBean mbean = new AllocatorMBean(allocator, explicitName, on);
            try {
                server.registerMBean(new StandardMBean(mbean, SlabAllocatorMXBean.class, true), on);
            } catch (InstanceAlreadyExistsException e) {
                throw new IllegalStateException("JMX name taken: " + on + " is already registered", e);
            } catch (JMException | RuntimeException e) {
                throw new IllegalStateException("cannot register " + on + ": " + e, e);
            }
            return mbean;
        }
        for (;;) {
            String name = "slabmag-" + NEXT_DEFAULT.getAndIncrement();
            ObjectName on = objectName(name);
            AllocatorMBean mbean = new AllocatorMBean(allocator, name, on);
            try {
                server.registerMBean(new StandardMBean(mbean, SlabAllocatorMXBean.class, true), on);
                return mbean;
            } catch (InstanceAlreadyExistsException e) {
                continue; // someone chose this name explicitly: take the next number
            } catch (JMException | RuntimeException e) {
                warn("cannot register " + on + "; this SlabAllocator has no MBean", e);
                return null;
            }
        }
    }

    private static void warn(String message, Throwable cause) {
        System.getLogger("org.slabmag").log(System.Logger.Level.WARNING, message, cause);
    }

    /** Unregisters the MBean; never fails (a failure is logged). */
    void unregister() {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(objectName);
        } catch (InstanceNotFoundException e) {
            return; // someone unregistered it already
        } catch (JMException | RuntimeException e) {
            warn("cannot unregister " + objectName, e);
        }
    }

    ObjectName objectName() {
        return objectName;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public long getTotalBytes() {
        AllocatorStats s = stats();
        return s == null ? 0 : s.totalBytes();
    }

    @Override
    public long getResidentBytes() {
        AllocatorStats s = stats();
        return s == null ? 0 : s.residentBytes();
    }

    @Override
    public long getUsedBytes() {
        AllocatorStats s = stats();
        return s == null ? 0 : s.usedBytes();
    }

    @Override
    public long getRequestedBytes() {
        AllocatorStats s = stats();
        return s == null ? 0 : s.requestedBytes();
    }

    @Override
    public long getCachedBytes() {
        AllocatorStats s = stats();
        return s == null ? 0 : s.cachedBytes();
    }

    @Override
    public long getAvailableBytes() {
        AllocatorStats s = stats();
        return s == null ? 0 : s.availableBytes();
    }

    @Override
    public int getChunks() {
        AllocatorStats s = stats();
        return s == null ? 0 : s.chunks();
    }

    @Override
    public int getHugeBlocks() {
        AllocatorStats s = stats();
        return s == null ? 0 : s.hugeBlocks();
    }

    @Override
    public int getThreadCaches() {
        AllocatorStats s = stats();
        return s == null ? 0 : s.threadCaches();
    }

    @Override
    public long getAllocations() {
        AllocatorStats s = stats();
        return s == null ? 0 : s.allocations();
    }

    @Override
    public long getDeallocations() {
        AllocatorStats s = stats();
        return s == null ? 0 : s.deallocations();
    }

    @Override
    public double getFragmentation() {
        AllocatorStats s = stats();
        return s == null ? 0 : s.fragmentation();
    }

    @Override
    public long getMaxMemory() {
        return allocator.maxMemory();
    }

    @Override
    public int getChunkSize() {
        return allocator.chunkSize();
    }

    @Override
    public boolean isHardened() {
        return allocator.isHardened();
    }

    @Override
    public List<SizeClass> getSizeClasses() {
        AllocatorStats s = stats();
        if (s == null) {
            return List.of();
        }
        List<SizeClass> out = new ArrayList<>(s.sizeClasses().size());
        for (SizeClassStats c : s.sizeClasses()) {
            out.add(SizeClass.of(c));
        }
        return out;
    }

    @Override
    public void trim() {
        try {
            allocator.trim();
        } catch (IllegalStateException closed) {
            if (!allocator.isClosed()) {
                throw closed;
            }
        }
    }

    /** A snapshot, or null once the allocator is closed (a JMX read may race with close()). */
    private AllocatorStats stats() {
        try {
            return allocator.stats();
        } catch (IllegalStateException closed) {
            if (allocator.isClosed()) {
                return null;
            }
            throw closed;
        }
    }
}

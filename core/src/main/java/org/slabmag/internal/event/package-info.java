/**
 * JDK Flight Recorder events of slabmag ({@code org.slabmag.*}), all disabled by default.
 *
 * <p>Rules for this package, so that the events cost nothing when nobody records them:
 * <ul>
 *   <li>Events are emitted only on slow paths: chunk reservation and release, huge blocks, trim, the memory
 *       limit, thread-cache retirement. Never from {@code allocate}/{@code free}, a magazine exchange or a borrow.</li>
 *   <li>A call site is one static call to {@link org.slabmag.internal.event.SlabEvents}; each method there
 *       first asks its event type whether it is enabled (a field read once JFR instruments the class, a
 *       constant {@code false} before JFR starts) and does nothing else when it is not. A figure that costs work
 *       to compute is computed only after {@code ...Enabled()} said yes.</li>
 *   <li>Events are instant (no duration): they record what happened, with the sizes involved, in bytes
 *       ({@code @DataAmount}); addresses are {@code @MemoryAddress}.</li>
 *   <li>Events carry no reference to allocator objects and never call back into the allocator: emitting one
 *       under the heap lock is safe and takes no other lock (JFR's own buffers are thread-local).</li>
 * </ul>
 * Names and fields are part of the observable contract (README "Observing slabmag"; {@code docs/slabmag.jfc}
 * enables them all).
 */
package org.slabmag.internal.event;

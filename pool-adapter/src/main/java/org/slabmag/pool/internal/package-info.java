/**
 * The parts of {@link org.slabmag.pool.MagazineObjectPool}: {@link org.slabmag.pool.internal.PoolEntry} (an
 * object's loan state), {@link org.slabmag.pool.internal.Magazine} and {@link
 * org.slabmag.pool.internal.ThreadCache} (a thread's loaded and previous magazines), {@link
 * org.slabmag.pool.internal.ThreadCaches} (every thread's cache, found by thread id), {@link
 * org.slabmag.pool.internal.Depot} (the lock-free exchange between threads) and {@link
 * org.slabmag.pool.internal.IdentityTable} (from an object to its entry). Not an API: these classes may change
 * in any release.
 */
package org.slabmag.pool.internal;

/**
 * The pool's specialisation of core's magazine layer ({@code org.slabmag.internal.magazine}) for
 * {@link org.slabmag.pool.MagazineObjectPool}: {@link org.slabmag.pool.internal.PoolEntry} (an object's loan
 * state, claimed by compare-and-set), {@link org.slabmag.pool.internal.Magazine} (entry references, taken by claiming
 * them), {@link org.slabmag.pool.internal.ThreadCounters} and {@link org.slabmag.pool.internal.ThreadCache} (a
 * thread's loaded and previous magazines with its counters), {@link org.slabmag.pool.internal.ThreadCaches} (every
 * platform thread's cache, found by thread id), {@link org.slabmag.pool.internal.IdleBudget} (maxIdle as credits) and
 * {@link org.slabmag.pool.internal.IdentityTable} (from an object to its entry). The depot between threads is core's
 * generic one. Not an API: these classes may change in any release.
 */
package org.slabmag.pool.internal;

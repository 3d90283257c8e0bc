package org.slabmag.internal.magazine;

import java.lang.reflect.Array;
import java.util.Arrays;

/**
 * One cache's magazines: per slot (a size class of the allocator; the one slot of a pool) a loaded
 * and a previous {@link Magazine}, and Bonwick and Adams' exchange rules between them, written once
 * for the allocator's thread caches and the pool's.
 *
 * <p>The rules: take rounds from the loaded magazine and put rounds into it. When it is empty and the
 * previous one has rounds, or it is full and the previous one has room, the two swap
 * ({@link #swapForRounds}, {@link #swapForRoom}). Only when both are unusable does the owner go to
 * the {@link Depot}: it {@link #rotate}s a magazine from there in, the loaded one becoming the
 * previous one and the previous one leaving (to the depot, as full or empty, or back to the backing
 * store). What "taking" means (popping a block, claiming an idle object) belongs to the subclass.
 *
 * <p><b>Ownership.</b> A cache belongs to its {@link #owner()} thread, which alone calls the methods
 * here; or, with no owner, to whichever thread holds its {@link Stripes stripe}'s lock. Other threads
 * may read the magazines racily (statistics, a pool looking for idle objects to claim) and take a
 * private cache over only after {@code owner().isAlive()} returned false, which by JLS 17.4.4
 * happens-after everything the owner did.
 *
 * @param <M> the type of magazine
 */
public abstract class MagazineRack<M extends Magazine> {
    /** The owning thread; null for a stripe of {@link Stripes}. */
    final Thread owner;
    /** Per slot, the magazine taken from and put into first. */
    final M[] loaded;
    /** Per slot, the other magazine. */
    final M[] previous;

    /**
     * A cache with the placeholder as both magazines of every slot.
     *
     * @param owner       the owning thread, or null for a stripe
     * @param slots       the number of slots (size classes)
     * @param placeholder the magazine every slot starts with, for both loaded and previous: an empty
     *                    magazine of capacity 0, or a real one if the subclass replaces it at once
     */
    protected MagazineRack(Thread owner, int slots, M placeholder) {
        this.owner = owner;
        this.loaded = newArray(placeholder, slots);
        this.previous = newArray(placeholder, slots);
    }

    @SuppressWarnings("unchecked")
    private static <M extends Magazine> M[] newArray(M placeholder, int slots) {
        M[] array = (M[]) Array.newInstance(placeholder.getClass(), slots);
        Arrays.fill(array, placeholder);
        return array;
    }

    /** {@return the owning thread, or null for a stripe} */
    public final Thread owner() {
        return owner;
    }

    /**
     * The magazine a slot takes rounds from and puts them into first.
     *
     * @param slot a slot
     * @return its loaded magazine (a racy read from another thread)
     */
    public final M loaded(int slot) {
        return loaded[slot];
    }

    /**
     * The other magazine of a slot, exchanged with the loaded one.
     *
     * @param slot a slot
     * @return its previous magazine (a racy read from another thread)
     */
    public final M previous(int slot) {
        return previous[slot];
    }

    /**
     * The loaded magazine of {@code slot} is empty: if the previous one has rounds, swaps them.
     *
     * @param slot a slot
     * @return the loaded magazine after the swap, or null if the previous one had no rounds either
     */
    protected final M swapForRounds(int slot) {
        M l = loaded[slot];
        M p = previous[slot];
        if (p.size > 0) {
            loaded[slot] = p;
            previous[slot] = l;
            return p;
        }
        return null;
    }

    /**
     * The loaded magazine of {@code slot} is full: if the previous one has room, swaps them.
     *
     * @param slot a slot
     * @return the loaded magazine after the swap, or null if the previous one was full too
     */
    protected final M swapForRoom(int slot) {
        M l = loaded[slot];
        M p = previous[slot];
        if (p.size < p.capacity) {
            loaded[slot] = p;
            previous[slot] = l;
            return p;
        }
        return null;
    }

    /**
     * Both magazines of {@code slot} are unusable: {@code incoming} (a full one from the depot when
     * taking, an empty one when putting) becomes the loaded magazine, the loaded one the previous one.
     *
     * @param slot     a slot
     * @param incoming the magazine to load, now this cache's
     * @return the previous magazine it displaced, now the caller's to pass on
     */
    protected final M rotate(int slot, M incoming) {
        M displaced = previous[slot];
        previous[slot] = loaded[slot];
        loaded[slot] = incoming;
        return displaced;
    }

    /**
     * Replaces both magazines of {@code slot} (after the caller took their rounds).
     *
     * @param slot        a slot
     * @param placeholder the magazine both become
     */
    protected final void reset(int slot, M placeholder) {
        loaded[slot] = placeholder;
        previous[slot] = placeholder;
    }
}

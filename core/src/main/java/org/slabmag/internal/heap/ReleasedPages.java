package org.slabmag.internal.heap;

import java.util.Arrays;

/**
 * Which free pages of the kept chunks were given back to the operating system ({@code madvise}) and
 * not taken since: one bit per page, per region (chunk). Reserved bytes less these are the heap's
 * resident bytes, which {@code maxMemory} bounds; a page taken again counts as resident again at once.
 *
 * <p>Bit layout: region {@code r}'s page {@code p} (its index inside the chunk) is bit {@code p & 63}
 * of {@code bits[r][p >>> 6]}; set means given back. Range operations cost one step per word they
 * touch: 16 words for a whole 4 MiB chunk.
 *
 * <p>Not thread-safe: guarded by the heap lock.
 */
final class ReleasedPages {
    private final int regionShift;
    private final int wordsPerRegion;
    private long[][] bits = new long[4][];
    private long releasedPages;

    /**
     * @param maxOrder log2 of the pages per region (chunk)
     */
    ReleasedPages(int maxOrder) {
        this.regionShift = maxOrder;
        this.wordsPerRegion = Math.max(1, (1 << maxOrder) >>> 6);
    }

    /** Makes room for region ids below {@code regions}. */
    void ensureCapacity(int regions) {
        if (regions > bits.length) {
            bits = Arrays.copyOf(bits, Math.max(regions, bits.length * 2));
        }
    }

    /**
     * Marks {@code [page, page + count)} given back.
     *
     * @param page  heap-wide page id ({@code region << maxOrder | page in chunk})
     * @param count pages, inside the page's region
     * @return pages that were not marked before
     */
    long release(int page, int count) {
        long[] words = region(page >>> regionShift);
        long added = update(words, page & ((1 << regionShift) - 1), count, true);
        releasedPages += added;
        return added;
    }

    /**
     * Clears {@code [page, page + count)}: the pages are taken and count as resident again.
     *
     * @return pages that had been given back
     */
    long take(int page, int count) {
        long[] words = bits[page >>> regionShift];
        if (words == null) {
            return 0;
        }
        long cleared = update(words, page & ((1 << regionShift) - 1), count, false);
        releasedPages -= cleared;
        return cleared;
    }

    /** {@return pages of {@code [page, page + count)} given back} */
    long count(int page, int count) {
        long[] words = bits[page >>> regionShift];
        if (words == null) {
            return 0;
        }
        long n = 0;
        int from = page & ((1 << regionShift) - 1);
        for (int p = from, end = from + count; p < end; p += span(p, end)) {
            n += Long.bitCount(words[p >>> 6] & mask(p, end));
        }
        return n;
    }

    /** The region's chunk went back to the operating system: its pages are no longer counted. */
    void regionRemoved(int region) {
        long[] words = region < bits.length ? bits[region] : null;
        if (words != null) {
            for (long w : words) {
                releasedPages -= Long.bitCount(w);
            }
            Arrays.fill(words, 0);
        }
    }

    /** {@return pages given back and not taken since, over all regions} */
    long releasedPages() {
        return releasedPages;
    }

    private long[] region(int region) {
        long[] words = bits[region];
        if (words == null) {
            words = new long[wordsPerRegion];
            bits[region] = words;
        }
        return words;
    }

    private static long update(long[] words, int from, int count, boolean set) {
        long changed = 0;
        for (int p = from, end = from + count; p < end; p += span(p, end)) {
            long m = mask(p, end);
            long before = words[p >>> 6];
            long after = set ? before | m : before & ~m;
            words[p >>> 6] = after;
            changed += Long.bitCount(before ^ after);
        }
        return changed;
    }

    /** Pages from {@code p} to the end of its word or to {@code end}, whichever comes first. */
    private static int span(int p, int end) {
        return Math.min(64 - (p & 63), end - p);
    }

    /** The bits of {@code p}'s word from {@code p} on, for {@link #span} pages. */
    private static long mask(int p, int end) {
        int n = span(p, end);
        return n == 64 ? -1L : ((1L << n) - 1) << (p & 63);
    }
}

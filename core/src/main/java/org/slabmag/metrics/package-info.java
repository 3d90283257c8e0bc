/**
 * Micrometer binders for slabmag. Only this package refers to Micrometer, an optional dependency of
 * {@code slabmag-core}: applications without Micrometer on the class path never load it.
 */
package org.slabmag.metrics;

/**
 * The interleaving explorer: a race file (a machine and concurrent actors, with graded outcomes)
 * run under many schedules ({@link org.hotmem.explore.Explorer}), each a pure function of the file,
 * the seed and its index; the first violation minimised to a schedule file that
 * {@link org.hotmem.explore.Explorer#replay} reproduces exactly; outcome tables in jcstress's style.
 */
package org.hotmem.explore;

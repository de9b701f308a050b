/** JMH benchmarks of the kernel runtime and the memory model. */
package org.hotmem.bench;

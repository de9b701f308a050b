/** hotmem: an executable model of Linux memory hotplug. See DESIGN.md for the layers. */
package org.hotmem;

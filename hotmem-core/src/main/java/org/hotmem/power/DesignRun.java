package org.hotmem.power;

import java.util.Map;

/**
 * What one hibernation design of seed 001 did on one machine: the memory it needed beyond what
 * was in use (copy pages, COW reserve), the saved pages it streamed, the device pages they took
 * compressed, the virtual time during which the tasks did not run (downtime) and from the first
 * freeze to the power-off point, the failure it hit (null: it reached the power-off point), the stores
 * the running tasks made after the snapshot point (lost when the image resumes), and the image:
 * every saved pfn with the content the design wrote for it, next to every saveable pfn's content
 * at the snapshot point (what a correct image restores), the memory size it was taken of (the
 * header's num_physpages, which a resume checks), and the virtual time the resume takes to read
 * and decompress it.
 */
public record DesignRun(String design, long extraPages, long pagesWritten, long devicePages, long downtimeNs, long powerOffNs,
                        String failure, long lostWrites, Map<Long, Long> image, Map<Long, Long> snapshotPoint,
                        long memoryPages, long resumeReadNs) {

    public boolean completed() { return failure == null; }

    /**
     * Models check_image_kernel()'s memory check, as every design's resume makes it: an image
     * resumes only in a machine with the memory size it was taken of; else the reason.
     */
    public String refusal(long presentPages) {
        if (!completed()) return "no image";
        return presentPages == memoryPages ? null : "Image mismatch: memory size";
    }
}

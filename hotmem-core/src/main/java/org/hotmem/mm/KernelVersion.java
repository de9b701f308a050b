package org.hotmem.mm;

/**
 * The Linux kernel being imitated, by name. What differs between kernels is in each one's
 * {@link KernelProfile} (boot reservations, uname, {@link KernelFeature}s); ask
 * {@link #has(KernelFeature)}, never compare versions.
 */
public enum KernelVersion {
    /** Debian 12's linux-image-6.1.0 (6.1.192). */
    V6_1("6.1"),
    /** Debian's linux-image-6.12.117+deb12 (the default). */
    V6_12("6.12");

    private final String text;

    KernelVersion(String text) {
        this.text = text;
    }

    /** "6.1" or "6.12". */
    public String text() {
        return text;
    }

    /** Parses "6.1" / "6.12" (also "V6_1"); throws IllegalArgumentException naming the value. */
    public static KernelVersion parse(String s) {
        for (KernelVersion v : values()) {
            if (v.text.equals(s) || v.name().equals(s)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown kernel version '" + s + "' (expected "
                + String.join(" or ", java.util.Arrays.stream(values()).map(KernelVersion::text).toList()) + ")");
    }

    /** This kernel's profile. */
    public KernelProfile profile() {
        return KernelProfile.of(this);
    }

    /** Whether this kernel has behaviour {@code f} (see {@link KernelProfile#features()}). */
    public boolean has(KernelFeature f) {
        return KernelProfile.of(this).has(f);
    }
}

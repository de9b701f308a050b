package org.hotmem.kernel.fs;

/**
 * The order of strings by code point, which is the order of the unsigned bytes of their UTF-8
 * encodings: how kernfs (strcmp) and {@code ls} in the C locale order names, and how Python
 * sorts {@code str}. {@link String#compareTo} differs from it beyond the BMP (it compares UTF-16
 * code units). Stateless.
 */
public final class CodePointOrder {
    private CodePointOrder() {
    }

    /** Compares {@code a} and {@code b} code point by code point; a prefix sorts first. */
    public static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}

package org.hotmem.cli;

import org.hotmem.drivers.CmmVariant;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Converts {@code --cmm-variant} values: "atomic-flags", "mutex" or "compaction". */
final class CmmVariantOption implements ITypeConverter<CmmVariant> {
    @Override
    public CmmVariant convert(String value) {
        try {
            return CmmVariant.ofCliName(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("expected atomic-flags, mutex or compaction, got '" + value + "'");
        }
    }
}

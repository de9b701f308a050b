package org.hotmem.cli;

import org.hotmem.hv.MachineType;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Converts {@code --machine} values: "pc" or "pseries". */
final class MachineOption implements ITypeConverter<MachineType> {
    @Override
    public MachineType convert(String value) {
        try {
            return MachineType.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("expected pc or pseries, got '" + value + "'");
        }
    }
}

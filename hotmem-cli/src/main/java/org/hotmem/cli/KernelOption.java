package org.hotmem.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Converts {@code --kernel} values: "6.1" or "6.12". */
final class KernelOption implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
        if (!value.equals("6.1") && !value.equals("6.12")) {
            throw new TypeConversionException("expected 6.1 or 6.12, got '" + value + "'");
        }
        return value;
    }
}

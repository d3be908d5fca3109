"""The core's spreadsheet layer: one writer that every Excel export uses (user text is always
written as text, never as a formula) and one reader that every Excel import uses (the package is
checked for zip bombs before openpyxl opens it). Domain apps own their columns, not the file
handling."""

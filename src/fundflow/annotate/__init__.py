"""Problems shown in the officer's own workbook (`fundflow validate --annotate DIR`)."""

"""The consolidated return and the funder reports: a model built from the ledger
(`build.build_return`) and writers that render it as xlsx, html, json or csv (`write`)."""

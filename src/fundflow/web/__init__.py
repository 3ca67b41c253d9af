"""The web workbench (`fundflow serve`): upload funders' files, see each problem on its cell,
download the annotated copy and the return, in the browser on the officer's own machine.

Pages call the library (the importer, the Book, the return writers) and never run their own
SQL; the same guard, sandboxed reader and limits as the CLI read every upload. `app.create_app`
builds the application; `docs/web.md` describes it.
"""

"""Google Sheets output written from Python: the `Status ETL` tab (`nkpipe publish-sheet`)."""

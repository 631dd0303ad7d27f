"""Documents: the content-addressed blob store and text extraction."""

"""Step 2 of the pipeline: the content model (entities), its schema, and how it is assembled."""

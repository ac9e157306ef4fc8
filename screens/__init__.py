"""casebook's Textual UI. Thin: gathers input, calls casebook services, renders results."""

"""The medlm command-line interface (Typer): parse, call the library, render."""

"""Page components of the web app: SVG charts, highlighted notes and result cards (pure
functions from typed results to escaped markup)."""

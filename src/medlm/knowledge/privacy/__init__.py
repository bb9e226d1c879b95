"""Privacy knowledge as data: the Census restricted three-digit ZIP areas and clinical terms that
look like identifiers."""

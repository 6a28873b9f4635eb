"""The loss families. Files here hold math only: no framework names (see DESIGN.md)."""

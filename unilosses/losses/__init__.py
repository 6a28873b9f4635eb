"""The loss families. Files here hold math only: no framework names; backend quirks go to
``unilosses/backends/`` or a ``_core`` primitive (see DEVELOPERS.md)."""

"""File formats, without Django: plain data in and out (see DESIGN.md)."""

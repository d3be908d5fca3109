"""Models of this room arrive with its issue; the app exists from the start so that the layout,
URLs and imports are stable."""

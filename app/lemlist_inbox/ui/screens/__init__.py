"""Screens of the inbox UI: the main two-pane screen, help, and the user picker."""

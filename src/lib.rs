//! Shared helpers for the book examples.

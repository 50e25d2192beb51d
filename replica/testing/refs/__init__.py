"""Reference-value topic modules (each defines REFERENCES)."""

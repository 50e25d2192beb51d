"""Saddle-point models: one module per model (order parameters, free entropy, saddle-point equations)."""

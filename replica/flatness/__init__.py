"""Flatness beyond the perceptron: local energy, entropic algorithms, deep linear networks."""
